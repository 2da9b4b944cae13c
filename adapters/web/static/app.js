// casetrack pages: draws the charts from their data attributes (no inline
// script: the content security policy forbids it) and keeps the audit
// slider's read-out current.
(function () {
  'use strict';

  function parse(text, fallback) {
    try { return JSON.parse(text); } catch (e) { return fallback; }
  }

  // Each [data-chart] holds an ECharts option; [data-links] the page each
  // category's figure leads to (the events behind it).
  function drawCharts(root) {
    if (!window.echarts || !root.querySelectorAll) { return; }
    root.querySelectorAll('[data-chart]').forEach(function (el) {
      var option = parse(el.getAttribute('data-chart'), null);
      if (!option) { return; }
      var links = parse(el.getAttribute('data-links'), []) || [];
      var old = window.echarts.getInstanceByDom(el);
      if (old) { old.dispose(); }
      var chart = window.echarts.init(el);
      chart.setOption(option);
      if (links.length) {
        chart.on('click', function (p) {
          if (links[p.dataIndex]) { window.location.assign(links[p.dataIndex]); }
        });
      }
    });
  }

  // The API reference (/docs): Swagger UI renders the document named by
  // [data-spec], the server's own /openapi.json.
  function drawDocs() {
    var el = document.getElementById('api-docs');
    if (!el || !window.SwaggerUIBundle) { return; }
    // queryConfigEnabled off: no ?url= can make the page render another document.
    window.SwaggerUIBundle({ url: el.getAttribute('data-spec'), domNode: el, deepLinking: true, queryConfigEnabled: false });
  }

  document.addEventListener('DOMContentLoaded', function () { drawCharts(document); drawDocs(); });
  document.addEventListener('htmx:load', function (e) { drawCharts(e.target); });
  window.addEventListener('resize', function () {
    if (!window.echarts) { return; }
    document.querySelectorAll('[data-chart]').forEach(function (el) {
      var c = window.echarts.getInstanceByDom(el);
      if (c) { c.resize(); }
    });
  });

  document.addEventListener('input', function (e) {
    if (e.target && e.target.id === 'version') {
      var out = document.getElementById('version-out');
      if (out) { out.textContent = e.target.value + '/' + e.target.max; }
    }
  });
})();
