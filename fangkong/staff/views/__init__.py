"""Staff pages, one module per part of the work (tasks, people, rosters, patrols, plans)."""
