"""fangkong: epidemic prevention and control for residential communities."""
