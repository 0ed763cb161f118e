/* The dashboards' charts (reports/dashboard.html). Each [data-chart] box names the
   json_script element holding its numbers; ECharts (vendored, served by the app) draws them.
   No inline script and no style attribute in markup: the CSP allows neither. The tooltip is
   drawn on the canvas (renderMode richText), not as HTML with inline styles. Without this
   script the boxes stay empty and take no room: the table below each one has the numbers. */
(function () {
  "use strict";

  function draw() {
    if (!window.echarts) {
      return;
    }
    var boxes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(boxes, function (box) {
      var source = document.getElementById(box.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      var data = JSON.parse(source.textContent);
      box.style.height = "220px";
      var chart = window.echarts.init(box, null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        aria: { enabled: false }, // the box's label and the table below say it
        grid: { left: 4, right: 12, top: 36, bottom: 4, containLabel: true },
        legend: { top: 0, itemWidth: 14, textStyle: { fontSize: 12 } },
        tooltip: { trigger: "axis", renderMode: "richText", confine: true },
        xAxis: { type: "category", data: data.days, axisLabel: { fontSize: 11 } },
        yAxis: {
          type: "value",
          minInterval: 1,
          max: data.percent ? 100 : null,
          axisLabel: { fontSize: 11, formatter: data.percent ? "{value}%" : "{value}" }
        },
        series: data.series.map(function (s) {
          return {
            name: s.name,
            type: s.type,
            data: s.data,
            showSymbol: false,
            barMaxWidth: 10
          };
        })
      });
      box.setAttribute("data-drawn", "");
      window.addEventListener("resize", function () {
        chart.resize();
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
