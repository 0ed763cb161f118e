// Questions shown only after a given answer (data-show-if): hidden until that answer is
// picked. Without this script every question shows with its "only if" note, and the server
// ignores answers to questions whose condition is not met.
(function () {
  "use strict";

  function picked(scope, name) {
    var values = [];
    scope.querySelectorAll('[name="' + name + '"]').forEach(function (input) {
      var on = (input.type === "radio" || input.type === "checkbox") ? input.checked : input.value;
      if (on) { values.push(input.value); }
    });
    return values;
  }

  function refresh(scope) {
    scope.querySelectorAll(".scr-q[data-show-if]").forEach(function (question) {
      var name = question.getAttribute("data-show-if");
      var wanted = question.getAttribute("data-show-values").split("|");
      var parent = scope.querySelector('.scr-q[data-name="' + name + '"]');
      var parentShown = !parent || !parent.hidden;
      question.hidden = !(parentShown && picked(scope, name).some(function (value) {
        return wanted.indexOf(value) !== -1;
      }));
    });
  }

  document.querySelectorAll(".scr-questions").forEach(function (scope) {
    scope.addEventListener("change", function () { refresh(scope); });
    refresh(scope);
  });
}());
