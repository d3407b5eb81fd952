// mtosim report: draws the page from its data blocks. No network, no libraries.
"use strict";
(function () {
  var NS = "http://www.w3.org/2000/svg";
  var PAGE_ROWS = 1000;
  var STATE = ["not in an MTO", "pending", "active", "being removed", "left"];
  var STATE_FILL = [null, "#fff1c2", "#b7e4c0", "#ffd2b3", "#d0d7de"];
  var PALETTE = ["#0550ae", "#bc4c00", "#116329", "#8250df", "#a40e26", "#1b7c83", "#7d4e00", "#bf3989", "#4b5561", "#0a3069"];

  function $(id) { return document.getElementById(id); }
  function data(id) { var e = $(id); return e ? JSON.parse(e.textContent) : null; }
  function el(tag, attrs, kids) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) { if (attrs[k] !== null && attrs[k] !== undefined) e.setAttribute(k, attrs[k]); }
    (kids || []).forEach(function (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return e;
  }
  function sv(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function section(id, title) {
    var s = el("section", { id: id, "aria-labelledby": "h-" + id }, [el("h2", { id: "h-" + id }, [title])]);
    $("main").appendChild(s);
    return s;
  }
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); }

  // a table of rows, a page of PAGE_ROWS at a time, with a filter over every cell
  function table(parent, columns, rows, numeric) {
    var wrap = el("div", { "class": "tablewrap", tabindex: "0", role: "region", "aria-label": parent.getAttribute("aria-label") || "table" });
    var ctl = el("div", { "class": "controls" });
    var q = el("input", { type: "search", "aria-label": "filter rows", placeholder: "filter rows" });
    var info = el("span", { "class": "stepinfo" });
    var prev = el("button", { type: "button" }, ["previous"]);
    var next = el("button", { type: "button" }, ["next"]);
    ctl.appendChild(q); ctl.appendChild(prev); ctl.appendChild(next); ctl.appendChild(info);
    parent.appendChild(ctl); parent.appendChild(wrap);
    var shown = rows, page = 0;
    function draw() {
      var t = el("table"), head = el("tr");
      columns.forEach(function (c, i) { head.appendChild(el("th", { scope: "col", "class": numeric[i] ? "n" : null }, [c])); });
      t.appendChild(el("thead", null, [head]));
      var body = el("tbody");
      shown.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS).forEach(function (r) {
        var tr = el("tr");
        r.forEach(function (v, i) { tr.appendChild(el("td", { "class": numeric[i] ? "n" : null }, [numeric[i] && typeof v === "number" ? num(v) : String(v === null ? "" : v)])); });
        body.appendChild(tr);
      });
      t.appendChild(body);
      wrap.textContent = ""; wrap.appendChild(t);
      var last = Math.max(0, Math.ceil(shown.length / PAGE_ROWS) - 1);
      info.textContent = shown.length ? "rows " + num(page * PAGE_ROWS + 1) + "–" + num(Math.min(shown.length, (page + 1) * PAGE_ROWS)) + " of " + num(shown.length) : "no rows";
      prev.disabled = page === 0; next.disabled = page >= last;
      ctl.style.display = rows.length > 20 ? "" : "none";
    }
    q.addEventListener("input", function () {
      var s = q.value.toLowerCase();
      shown = s ? rows.filter(function (r) { return r.join(" ").toLowerCase().indexOf(s) >= 0; }) : rows;
      page = 0; draw();
    });
    prev.addEventListener("click", function () { page--; draw(); });
    next.addEventListener("click", function () { page++; draw(); });
    draw();
  }

  // ---------------------------------------------------------------- run page
  function runPage() {
    var meta = data("d-meta"), end = data("d-end");
    var rows = $("d-rows").textContent.split("\n").filter(Boolean).map(function (l) { return JSON.parse(l); });
    var tenants = meta.tenants.map(function (t) { return t[0]; });
    var n = tenants.length;
    function clock(t) {
      var d = new Date((meta.start + t) * 1000).toISOString();
      return d.slice(0, 10) + " " + d.slice(11, 19);
    }
    function span(s) {
      if (s < 3600) return Math.round(s / 60) + " min";
      if (s < 172800) return (Math.round(s / 360) / 10) + " h";
      return (Math.round(s / 8640) / 10) + " d";
    }
    var main = el("main", { id: "main" });
    document.body.appendChild(main);
    var toc = el("nav", { "class": "toc", "aria-label": "sections" });
    [["checks", "Checks"], ["topology", "Topology"], ["timeline", "Timeline"], ["counts", "Counts"], ["events", "Events"], ["summary", "Summary"], ["source", "Scenario file"]].forEach(function (s) {
      toc.appendChild(el("a", { href: "#" + s[0] }, [s[1]]));
    });
    main.appendChild(toc);

    var steps = [];    // step rows, in order, each with its row index
    var lines = {};    // step number -> line
    rows.forEach(function (r, i) { if (r[0] === "s") { steps.push({ i: i, t: r[1], n: r[2], line: r[3], verb: r[4], tenant: r[5] }); lines[r[2]] = r[3]; } });
    var endT = Math.max(end.end, 1);
    function stepLink(s) { return el("a", { href: "#L" + lines[s], "data-line": lines[s] }, ["step " + s + " (line " + lines[s] + ")"]); }

    // checks and the result, first
    var sc = section("checks", "Checks");
    if (end.note) sc.appendChild(el("pre", { "class": "text" }, [end.note]));
    sc.appendChild(el("p", { "class": "result " + (end.ok ? "ok" : "fail"), role: "status" }, [end.result]));
    var ul = el("ul", { "class": "checks" }), curStep = 0;
    rows.forEach(function (r) {
      if (r[0] === "s") curStep = r[2];
      if (r[0] === "k") ul.appendChild(el("li", { "class": "ok" }, [stepLink(curStep), ": " + (r[2] === null ? "" : tenants[r[2]] + ": ") + r[3]]));
      if (r[0] === "x") ul.appendChild(el("li", { "class": "ok" }, [stepLink(r[2]), ": " + r[3]]));
      if (r[0] === "f") ul.appendChild(el("li", { "class": "fail" }, [stepLink(r[2]), ": " + r[3]]));
    });
    if (!ul.firstChild) ul.appendChild(el("li", null, ["The scenario has no checks."]));
    sc.appendChild(ul);

    // the state at a row index: membership and configurations
    function stateAt(upto) {
      var mem = tenants.map(function () { return [0, 0]; }), cfg = {};
      for (var i = 0; i < upto; i++) {
        var r = rows[i];
        if (r[0] === "m") mem[r[2]] = [r[3], r[4]];
        else if (r[0] === "c") cfg[r[2]] = { s: r[3], d: r[4], n: r[5], st: r[6], live: r[7] };
      }
      return { mem: mem, cfg: cfg };
    }

    // topology with a slider over the steps
    var st = section("topology", "Topology");
    var ctl = el("div", { "class": "controls" });
    var slider = el("input", { type: "range", id: "slider", min: "0", max: String(steps.length), value: String(steps.length), "aria-label": "moment of the run: before step N, or the end" });
    var info = el("output", { "class": "stepinfo", "for": "slider", id: "slider-info" });
    ctl.appendChild(el("label", { "for": "slider" }, ["Moment"])); ctl.appendChild(slider); ctl.appendChild(info);
    st.appendChild(ctl);
    var topoBox = el("div", { "class": "figure" });
    st.appendChild(topoBox);
    st.appendChild(el("div", { "class": "legend" }, [
      legend(STATE_FILL[2], "active"), legend(STATE_FILL[1], "pending (dashed)"), legend(STATE_FILL[3], "being removed"),
      legend(STATE_FILL[4], "left"), legend("#ffffff", "not in an MTO"), el("span", null, ["★ owner · arrows: sync configurations with their accounts (dashed: not running)"])]));
    var pos = [];
    var R = n <= 2 ? 120 : Math.min(300, 90 + n * 9), W = 2 * R + 260, H = 2 * R + 120;
    for (var k = 0; k < n; k++) {
      var a = -Math.PI / 2 + 2 * Math.PI * k / n;
      pos.push(n === 1 ? [W / 2, H / 2] : [W / 2 + R * Math.cos(a), H / 2 + R * Math.sin(a)]);
    }
    function drawTopology() {
      var p = +slider.value, upto = p < steps.length ? steps[p].i : rows.length;
      var t = p < steps.length ? steps[p].t : end.end;
      info.value = (p < steps.length ? "before step " + steps[p].n + " (" + steps[p].verb + (steps[p].tenant !== null ? " by " + tenants[steps[p].tenant] : "") + ")" : "the end of the run") + ", " + clock(t) + " UTC";
      var s = stateAt(upto), svg = sv("svg", { viewBox: "0 0 " + W + " " + H, style: "max-width:" + Math.round(W * 1.3) + "px;margin:0 auto", role: "img", "aria-label": "tenants and sync configurations at " + info.value, id: "topo" });
      var defs = sv("defs", {}), mk = sv("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" });
      mk.appendChild(sv("path", { d: "M0,0 L10,5 L0,10 z", fill: "#4b5561" })); defs.appendChild(mk); svg.appendChild(defs);
      var live = Object.keys(s.cfg).filter(function (c) { return s.cfg[c].live; });
      var labels = live.length <= 60, small = n > 24;
      live.forEach(function (c) {
        var x = s.cfg[c], a = pos[x.s], b = pos[x.d];
        var dx = b[0] - a[0], dy = b[1] - a[1], len = Math.sqrt(dx * dx + dy * dy) || 1;
        var ox = -dy / len * 6, oy = dx / len * 6, cut = small ? 8 : 34;
        var x1 = a[0] + dx / len * cut + ox, y1 = a[1] + dy / len * cut + oy, x2 = b[0] - dx / len * cut + ox, y2 = b[1] - dy / len * cut + oy;
        var running = x.st === "Active";
        var g = sv("g", { "class": "cfg" });
        g.appendChild(sv("line", { x1: x1, y1: y1, x2: x2, y2: y2, stroke: running ? "#0550ae" : "#8c959f", "stroke-width": labels ? 2 : 0.7, "stroke-dasharray": running ? "" : "5 4", "marker-end": "url(#arrow)", opacity: labels ? 1 : 0.5 }));
        g.appendChild(sv("title", {}, tenants[x.s] + " → " + tenants[x.d] + ": " + x.n + " accounts (" + x.st + ")"));
        if (labels) g.appendChild(sv("text", { x: x1 + (x2 - x1) * 0.4 + ox, y: y1 + (y2 - y1) * 0.4 + oy, "font-size": 12, "text-anchor": "middle" }, String(x.n)));
        svg.appendChild(g);
      });
      tenants.forEach(function (name, i) {
        var m = s.mem[i].slice(), g = sv("g", { "class": "tenant", "data-state": STATE[m[0]] });
        if (m[0] === 0 || m[0] === 4) m[1] = 0;
        var fill = STATE_FILL[m[0]] || "#ffffff";
        if (small) {
          g.appendChild(sv("circle", { cx: pos[i][0], cy: pos[i][1], r: 7, fill: fill, stroke: m[1] ? "#1b1f24" : "#4b5561", "stroke-width": m[1] ? 3 : 1, "stroke-dasharray": m[0] === 1 ? "3 2" : "" }));
          var ang = Math.atan2(pos[i][1] - H / 2, pos[i][0] - W / 2);
          g.appendChild(sv("text", { x: pos[i][0] + Math.cos(ang) * 14, y: pos[i][1] + Math.sin(ang) * 14 + 4, "font-size": 10, "text-anchor": Math.cos(ang) >= 0 ? "start" : "end" }, (m[1] ? "★" : "") + name));
        } else {
          g.appendChild(sv("rect", { x: pos[i][0] - 62, y: pos[i][1] - 24, width: 124, height: 48, rx: 8, fill: fill, stroke: m[1] ? "#1b1f24" : "#4b5561", "stroke-width": m[1] ? 3 : 1.2, "stroke-dasharray": m[0] === 1 ? "6 4" : "" }));
          g.appendChild(sv("text", { x: pos[i][0], y: pos[i][1] - 4, "font-size": 13, "font-weight": 600, "text-anchor": "middle" }, (m[1] ? "★ " : "") + name));
          g.appendChild(sv("text", { x: pos[i][0], y: pos[i][1] + 13, "font-size": 11, "text-anchor": "middle", fill: "#4b5561" }, STATE[m[0]] + (m[0] === 2 || m[0] === 1 ? (m[1] ? ", owner" : ", member") : "")));
        }
        g.appendChild(sv("title", {}, name + " (" + meta.tenants[i][1] + "): " + STATE[m[0]]));
        svg.appendChild(g);
      });
      topoBox.textContent = ""; topoBox.appendChild(svg);
      cursor(t);
    }
    function legend(fill, text) { var i = el("i"); i.style.background = fill; return el("span", null, [i, text]); }

    // time scales: by step (each step's moment equally spaced) or linear
    var marks = [0];
    steps.forEach(function (s) { if (s.t > marks[marks.length - 1]) marks.push(s.t); });
    if (endT > marks[marks.length - 1]) marks.push(endT);
    var byStep = true;
    function frac(t) {
      if (!byStep || marks.length < 2) return Math.min(1, Math.max(0, t / endT));
      var lo = 0, hi = marks.length - 1;
      if (t >= marks[hi]) return 1;
      while (hi - lo > 1) { var mid = (lo + hi) >> 1; if (marks[mid] <= t) lo = mid; else hi = mid; }
      return (lo + (t - marks[lo]) / (marks[hi] - marks[lo])) / (marks.length - 1);
    }
    var LX = 130, TW = 1000;
    function X(t) { return LX + frac(t) * (TW - LX - 10); }
    function axis(svg, y0, y1) {
      var every = Math.max(1, Math.ceil(marks.length / 10)), lastX = -100;
      marks.forEach(function (m, i) {
        if (i % every && i !== marks.length - 1) return;
        var x = X(m);
        svg.appendChild(sv("line", { x1: x, y1: y0, x2: x, y2: y1, stroke: "#d0d7de" }));
        if (x - lastX > 70) { svg.appendChild(sv("text", { x: x, y: y1 + 13, "font-size": 10, "text-anchor": i === marks.length - 1 ? "end" : "middle", fill: "#4b5561" }, "+" + span(m))); lastX = x; }
      });
    }
    var cursors = [];
    function cursor(t) { cursors.forEach(function (c) { c.setAttribute("x1", X(t)); c.setAttribute("x2", X(t)); }); }

    // timeline: one lane per tenant
    var tl = section("timeline", "Timeline");
    var tctl = el("div", { "class": "controls" });
    var scale = el("select", { id: "scale", "aria-label": "time scale" }, [el("option", { value: "step" }, ["steps equally spaced"]), el("option", { value: "linear" }, ["linear time"])]);
    tctl.appendChild(el("label", { "for": "scale" }, ["Time scale"])); tctl.appendChild(scale);
    tl.appendChild(tctl);
    var tlBox = el("div", { "class": "figure" }), ctBox = el("div");
    tl.appendChild(tlBox);
    tl.appendChild(el("div", { "class": "legend" }, [legend(STATE_FILL[2], "active"), legend(STATE_FILL[1], "pending"), legend(STATE_FILL[3], "being removed"), legend(STATE_FILL[4], "left"),
      el("span", null, ["━ join or removal in progress (its asynchronous delay) · | sync cycle · ▲ refusal · ✗ failed check · ● check held"])]));
    function drawTimeline() {
      var lane = 20, top = 26, h = top + (n + 1) * lane + 20;
      var svg = sv("svg", { viewBox: "0 0 " + TW + " " + h, role: "img", "aria-label": "timeline, one lane per tenant", id: "tl" });
      axis(svg, 14, h - 18);
      svg.appendChild(sv("text", { x: 4, y: top + 14, "font-size": 11, "font-weight": 600 }, "checks"));
      tenants.forEach(function (name, i) { svg.appendChild(sv("text", { x: 4, y: top + (i + 1) * lane + 14, "font-size": 11 }, name.length > 18 ? name.slice(0, 17) + "…" : name)); });
      var last = tenants.map(function () { return [0, 0]; }), bandG = sv("g", {}), markG = sv("g", {}), seen = {};
      function band(i, from, to, stt) {
        if (!STATE_FILL[stt] || to <= from) return;
        bandG.appendChild(sv("rect", { x: X(from), y: top + (i + 1) * lane + 3, width: Math.max(1, X(to) - X(from)), height: lane - 6, fill: STATE_FILL[stt] }));
      }
      var curStep = 0;
      rows.forEach(function (r) {
        var y;
        if (r[0] === "s") curStep = r[2];
        if (r[0] === "m") { band(r[2], last[r[2]][0], r[1], last[r[2]][1]); last[r[2]] = [r[1], r[3]]; }
        else if (r[0] === "e") {
          var ti = r[2], ex = r[7];
          y = top + (ti + 1) * lane + lane / 2;
          if (ex.due !== undefined) {
            var who = r[3] === "removalRequested" ? ex.other : ti, yy = top + (who + 1) * lane + lane / 2;
            markG.appendChild(sv("line", { x1: X(r[1]), y1: yy, x2: X(ex.due), y2: yy, stroke: "#1b1f24", "stroke-width": 3 }));
            markG.appendChild(sv("line", { x1: X(ex.due), y1: yy - 6, x2: X(ex.due), y2: yy + 6, stroke: "#1b1f24", "stroke-width": 2 }));
            var tt = sv("title", {}, r[4]); markG.lastChild.appendChild(tt);
          }
          if (r[3] === "cycleFinished") {
            var px = Math.round(X(r[1])), key = ti + ":" + px;
            if (!seen[key]) { seen[key] = 1; markG.appendChild(sv("line", { x1: px, y1: y - 7, x2: px, y2: y + 7, stroke: "#0550ae", "stroke-width": 1 })); }
          }
          if (r[6] === 3) { var g = sv("path", { d: "M" + X(r[1]) + "," + (y - 7) + " l6,12 l-12,0 z", fill: "#bc4c00" }); g.appendChild(sv("title", {}, tenants[ti] + ": " + r[4])); markG.appendChild(g); }
        } else if (r[0] === "k" || r[0] === "x" || r[0] === "f") {
          y = top + lane / 2;
          var c = r[0] === "f" ? sv("text", { x: X(r[1]), y: y + 5, "font-size": 15, "text-anchor": "middle", fill: "#a40e26", "font-weight": 700 }, "✗") : sv("circle", { cx: X(r[1]), cy: y, r: 4, fill: "#116329" });
          c.appendChild(sv("title", {}, "step " + (r[0] === "k" ? curStep : r[2]) + ": " + r[r[0] === "k" ? 3 : 3]));
          markG.appendChild(c);
        }
      });
      tenants.forEach(function (_, i) { band(i, last[i][0], endT, last[i][1]); });
      svg.appendChild(bandG); svg.appendChild(markG);
      var cur = sv("line", { x1: 0, y1: 14, x2: 0, y2: h - 18, stroke: "#a40e26", "stroke-width": 1.5, "stroke-dasharray": "4 3" });
      svg.appendChild(cur);
      tlBox.textContent = ""; tlBox.appendChild(svg);
      return cur;
    }

    // counts over time: synced accounts per tenant, escrows, quota headroom
    var cs = section("counts", "Counts over time");
    cs.appendChild(ctBox);
    function series(col) {
      var per = tenants.map(function () { return []; });
      rows.forEach(function (r) { if (r[0] === "q") per[r[2]].push([r[1], r[col]]); });
      return per;
    }
    function chart(title, per, names) {
      var h = 220, top = 22, bottom = h - 22, vals = [];
      per.forEach(function (s) { s.forEach(function (p) { vals.push(p[1]); }); });
      var lo = Math.min.apply(null, [0].concat(vals)), hi = Math.max.apply(null, [1].concat(vals));
      var svg = sv("svg", { viewBox: "0 0 " + TW + " " + h, role: "img", "aria-label": title });
      svg.appendChild(sv("text", { x: 4, y: 14, "font-size": 12, "font-weight": 600 }, title));
      axis(svg, top, bottom);
      function Y(v) { return bottom - (v - lo) / (hi - lo || 1) * (bottom - top); }
      [lo, hi].forEach(function (v) { svg.appendChild(sv("text", { x: LX - 6, y: Y(v) + 4, "font-size": 10, "text-anchor": "end", fill: "#4b5561" }, num(v))); });
      per.forEach(function (s, i) {
        if (!s.length) return;
        var d = "M" + X(s[0][0]) + "," + Y(s[0][1]);
        for (var j = 1; j < s.length; j++) d += " H" + X(s[j][0]) + " V" + Y(s[j][1]);
        d += " H" + X(endT);
        var p = sv("path", { d: d, fill: "none", stroke: i < 10 ? PALETTE[i] : "#8c959f", "stroke-width": i < 10 ? 2 : 1 });
        p.appendChild(sv("title", {}, names[i] + ": " + num(s[s.length - 1][1]) + " at the end"));
        svg.appendChild(p);
      });
      var c = sv("line", { x1: 0, y1: top, x2: 0, y2: bottom, stroke: "#a40e26", "stroke-width": 1.5, "stroke-dasharray": "4 3" });
      svg.appendChild(c);
      var box = el("div", { "class": "figure" }); box.appendChild(svg);
      ctBox.appendChild(box);
      return c;
    }
    function total(per, pick) {
      var ev = [];
      per.forEach(function (s, i) { s.forEach(function (p) { ev.push([p[0], i, p[1]]); }); });
      ev.sort(function (a, b) { return a[0] - b[0]; });
      var cur = tenants.map(function () { return null; }), out = [];
      ev.forEach(function (e) {
        cur[e[1]] = e[2];
        var v = pick(cur.filter(function (x) { return x !== null; }));
        if (out.length && out[out.length - 1][0] === e[0]) out[out.length - 1][1] = v; else out.push([e[0], v]);
      });
      return out;
    }
    function drawCounts() {
      ctBox.textContent = "";
      var c1 = chart("Synchronized accounts in each tenant", series(3), tenants);
      var lg = el("div", { "class": "legend" });
      tenants.slice(0, 10).forEach(function (t, i) { lg.appendChild(legend(PALETTE[i], t)); });
      if (n > 10) lg.appendChild(el("span", null, ["grey: the other " + (n - 10) + " tenants"]));
      ctBox.appendChild(lg);
      var c2 = chart("Escrowed objects, all tenants (failed, retried each cycle)", [total(series(4), function (xs) { return xs.reduce(function (a, b) { return a + b; }, 0); })], ["escrows"]);
      var c3 = chart("Quota headroom, smallest over the tenants (CTS-61)", [total(series(5), function (xs) { return Math.min.apply(null, xs); })], ["headroom"]);
      return [c1, c2, c3];
    }
    function redraw() { cursors = [drawTimeline()].concat(drawCounts()); drawTopology(); }
    scale.addEventListener("change", function () { byStep = scale.value === "step"; redraw(); });
    slider.addEventListener("input", drawTopology);

    // the event list with its filters and the rule texts
    var es = section("events", "Events");
    var fctl = el("div", { "class": "controls" });
    function select(id, label, options) {
      var s = el("select", { id: id }, [el("option", { value: "" }, ["all"])]);
      options.forEach(function (o) { s.appendChild(el("option", { value: o[0] }, [o[1]])); });
      fctl.appendChild(el("label", { "for": id }, [label, s]));
      return s;
    }
    var kinds = {}, ruleIds = {};
    rows.forEach(function (r) {
      if (r[0] === "e") { kinds[r[3]] = 1; r[5].forEach(function (x) { ruleIds[x] = 1; }); }
      if (r[0] === "x") ruleIds[r[4]] = 1;
    });
    var KIND = { s: "step", n: "note", k: "checkOk", x: "expected", f: "fail" };
    var fTenant = select("f-tenant", "Tenant", tenants.map(function (t, i) { return [String(i), t]; }));
    var fRule = select("f-rule", "Rule", Object.keys(ruleIds).sort().map(function (x) { return [x, x]; }));
    var fKind = select("f-kind", "Kind", Object.keys(kinds).sort().concat(["step", "note", "checkOk", "expected", "fail"]).map(function (x) { return [x, x]; }));
    var fText = el("input", { type: "search", id: "f-text", placeholder: "text", "aria-label": "text contains" });
    fctl.appendChild(fText);
    var count = el("span", { "class": "stepinfo", id: "ev-count", "aria-live": "polite" });
    fctl.appendChild(count);
    es.appendChild(fctl);
    var pager = el("div", { "class": "pager" }), prev = el("button", { type: "button" }, ["previous page"]), next = el("button", { type: "button" }, ["next page"]), pinfo = el("span");
    pager.appendChild(prev); pager.appendChild(next); pager.appendChild(pinfo);
    es.appendChild(pager);
    var wrap = el("div", { "class": "events-wrap" }), list = el("ol", { "class": "events", id: "evlist", role: "listbox", "aria-label": "events, steps and checks; Enter shows the rule texts" });
    var detail = el("aside", { "class": "detail", id: "detail", "aria-live": "polite" }, [el("p", null, ["Select an event (click, or arrow keys and Enter) to see its rules: their text, status in mtosim and sources."])]);
    wrap.appendChild(list); wrap.appendChild(detail); es.appendChild(wrap);
    // one item per row but the samples, with its step
    var items = [], step = 0;
    rows.forEach(function (r, i) {
      if (r[0] === "s") step = r[2];
      if (r[0] === "m" || r[0] === "c" || r[0] === "q") return;
      var it = { i: i, r: r, t: r[1], step: r[0] === "x" || r[0] === "f" ? r[2] : step, kind: r[0] === "e" ? r[3] : KIND[r[0]], tenant: null, rules: [], style: 0, text: "" };
      if (r[0] === "e") { it.tenant = r[2]; it.rules = r[5]; it.style = r[6]; it.text = r[4]; if (r[7].other !== undefined) it.other = r[7].other; }
      else if (r[0] === "s") { it.tenant = r[5]; it.style = 1; it.text = "step " + r[2] + " (line " + r[3] + "): " + r[4]; }
      else if (r[0] === "n") it.text = r[2];
      else if (r[0] === "k") { it.tenant = r[2]; it.style = 2; it.text = "check ok: " + r[3]; }
      else if (r[0] === "x") { it.style = 2; it.rules = [r[4]]; it.text = r[3]; }
      else if (r[0] === "f") { it.style = 5; it.text = "FAIL: " + r[3]; }
      items.push(it);
    });
    var shown = items, page = 0, selected = null;
    function filter() {
      var ft = fTenant.value, fr = fRule.value, fk = fKind.value, tx = fText.value.toLowerCase();
      shown = items.filter(function (it) {
        return (ft === "" || String(it.tenant) === ft || String(it.other) === ft) && (fr === "" || it.rules.indexOf(fr) >= 0) && (fk === "" || it.kind === fk) && (tx === "" || it.text.toLowerCase().indexOf(tx) >= 0);
      });
      page = 0; drawList();
    }
    function drawList() {
      list.textContent = "";
      var from = page * PAGE_ROWS, slice = shown.slice(from, from + PAGE_ROWS), frag = document.createDocumentFragment();
      slice.forEach(function (it, j) {
        var li = el("li", { role: "option", tabindex: j === 0 ? "0" : "-1", "class": "s" + it.style, "data-kind": it.kind, "data-step": it.step, id: "ev-" + it.i, "aria-selected": selected === it ? "true" : "false" }, [
          el("span", { "class": "t" }, [clock(it.t)]), el("span", { "class": "tn" }, [it.tenant === null ? "" : tenants[it.tenant]]),
          el("span", { "class": "x" }, [it.text].concat(it.rules.length ? [el("span", { "class": "r" }, ["[" + it.rules.join(", ") + "]"])] : []))]);
        li.item = it;
        frag.appendChild(li);
      });
      list.appendChild(frag);
      count.textContent = num(shown.length) + " of " + num(items.length) + " entries";
      var pages = Math.max(1, Math.ceil(shown.length / PAGE_ROWS));
      pinfo.textContent = "page " + (page + 1) + " of " + pages;
      pager.style.display = pages > 1 ? "" : "none";
      prev.disabled = page === 0; next.disabled = page >= pages - 1;
    }
    function show(li) {
      if (!li || !li.item) return;
      var it = li.item;
      selected = it;
      Array.prototype.forEach.call(list.querySelectorAll("[aria-selected=true]"), function (x) { x.setAttribute("aria-selected", "false"); });
      li.setAttribute("aria-selected", "true");
      detail.textContent = "";
      detail.appendChild(el("h3", null, [it.kind + " · " + clock(it.t) + " UTC"]));
      detail.appendChild(el("p", null, [(it.tenant === null ? "" : tenants[it.tenant] + ": ") + it.text]));
      if (it.step) detail.appendChild(el("p", null, ["During ", stepLink(it.step), " of the scenario file."]));
      it.rules.forEach(function (id) {
        var info = end.rules[id], box = el("div", { "class": "rule" });
        box.appendChild(el("h3", null, [id]));
        if (!info) { box.appendChild(el("p", null, ["Not in the rule catalogue."])); detail.appendChild(box); return; }
        box.appendChild(el("p", null, [info.title]));
        box.appendChild(el("p", { "class": "status" }, ["[" + info.tag + "] in mtosim: " + info.status + (info.notes ? ". " + info.notes : "")]));
        var src = el("ul");
        info.sources.forEach(function (s) {
          src.appendChild(el("li", null, [/^https:\/\//.test(s) ? el("a", { href: s, rel: "noopener" }, [s]) : s === "seed-article" ? "the seed article, \"Exploring Multi-Tenant Organization\" (2023-08-30)" : s === "mtosim" ? "mtosim itself (not a Microsoft rule)" : s]));
        });
        if (info.sources.length) box.appendChild(src);
        detail.appendChild(box);
      });
    }
    list.addEventListener("click", function (e) { var li = e.target.closest("li"); if (li) { li.focus(); show(li); } });
    list.addEventListener("keydown", function (e) {
      var li = e.target.closest("li"); if (!li) return;
      var to = e.key === "ArrowDown" ? li.nextElementSibling : e.key === "ArrowUp" ? li.previousElementSibling : e.key === "Home" ? list.firstElementChild : e.key === "End" ? list.lastElementChild : null;
      if (to) { e.preventDefault(); li.tabIndex = -1; to.tabIndex = 0; to.focus(); }
      else if (e.key === "Enter" || e.key === " ") { e.preventDefault(); show(li); }
    });
    [fTenant, fRule, fKind].forEach(function (s) { s.addEventListener("change", filter); });
    fText.addEventListener("input", filter);
    prev.addEventListener("click", function () { page--; drawList(); });
    next.addEventListener("click", function () { page++; drawList(); });
    drawList();

    // the summary of every tenant
    var ss = section("summary", "Summary of every tenant");
    var cards = el("div", { "class": "cards" });
    end.summary.tenants.forEach(function (t) {
      var c = el("div", { "class": "card tenant-card" }, [el("h3", null, [t.name + " · " + t.displayName]), el("p", null, [t.mtoText]),
        el("p", null, [num(t.internalUsers) + " internal users, " + t.groups + " groups" + (t.syncedGroups ? ", " + t.syncedGroups + " synced in" : "")]),
        el("p", null, ["synced-in accounts: " + (t.syncedIn.length ? t.syncedIn.map(function (s) { return num(s.accounts) + " from " + s.from; }).join(", ") : "none") + (t.softDeleted ? " (" + t.softDeleted + " soft-deleted)" : "")])]);
      t.sync.forEach(function (s) {
        c.appendChild(el("p", null, ["sync " + s.name + " → " + s.target + ": " + s.statusText + ", " + s.cycles + " cycles, " + num(s.created) + " created" + (s.failing ? ", " + s.failing + " failing" : "") + (s.deletionsHeld ? ", " + s.deletionsHeld + " deletions held" : "")]));
      });
      cards.appendChild(c);
    });
    ss.appendChild(el("p", null, ["At " + clock(end.end) + " UTC" + (end.summary.failing ? "; " + end.summary.failing + " objects failing" : "") + (end.summary.deletionsHeld ? "; " + end.summary.deletionsHeld + " deletions held" : "") + "."]));
    ss.appendChild(cards);

    // the scenario file with line numbers
    var so = section("source", "Scenario file");
    so.appendChild(el("p", { "class": "sub" }, [meta.file]));
    if (end.source !== null) {
      var ol = el("ol", { "class": "source", tabindex: "0", "aria-label": "the scenario file, one item per line" });
      var stepAt = {};
      steps.forEach(function (s) { stepAt[s.line] = s.n; });
      end.source.split("\n").forEach(function (l, i) {
        ol.appendChild(el("li", { id: "L" + (i + 1), "data-step": stepAt[i + 1] || null }, [l]));
      });
      so.appendChild(ol);
      document.addEventListener("click", function (e) {
        var a = e.target.closest && e.target.closest("a[data-line]");
        if (!a) return;
        var li = $("L" + a.getAttribute("data-line"));
        if (li) { Array.prototype.forEach.call(ol.querySelectorAll(".hl"), function (x) { x.classList.remove("hl"); }); li.classList.add("hl"); }
      });
    } else so.appendChild(el("p", null, ["The source is not part of this page."]));
    redraw();
  }

  // ---------------------------------------------------------------- what-if pages
  function whatifPage() {
    var f = data("d-whatif"), main = $("main");
    function sec(id, title) { var s = el("section", { id: id, "aria-labelledby": "h-" + id, "aria-label": title }, [el("h2", { id: "h-" + id }, [title])]); main.appendChild(s); return s; }
    var fs = sec("findings", "Findings");
    var ul = el("ul", { "class": "checks" });
    f.findings.forEach(function (x) { ul.appendChild(el("li", { "class": "fail" }, [x.rule + ": " + x.text])); });
    if (!f.findings.length) ul.appendChild(el("li", { "class": "ok" }, ["Nothing exceeds a cap, a quota or the licences."]));
    fs.appendChild(ul);
    var cs = sec("accounts", "Accounts in each tenant after convergence, against its quota");
    var ts = f.tenants.slice().sort(function (a, b) { return b.objectsAfter - a.objectsAfter; }).slice(0, 40);
    var bh = 16, h = ts.length * bh + 30, max = Math.max.apply(null, [1].concat(ts.map(function (t) { return Math.max(t.objectsAfter, t.quota); })));
    var svg = sv("svg", { viewBox: "0 0 1000 " + h, role: "img", "aria-label": "directory objects after convergence per tenant, busiest first, with the quota", id: "bars" });
    ts.forEach(function (t, i) {
      var y = 10 + i * bh, w = 800 * t.objectsAfter / max;
      svg.appendChild(sv("text", { x: 4, y: y + 11, "font-size": 11 }, t.name));
      var r = sv("rect", { x: 150, y: y + 2, width: Math.max(1, w), height: bh - 4, fill: t.headroom < 0 ? "#a40e26" : "#0550ae" });
      r.appendChild(sv("title", {}, t.name + ": " + num(t.objectsAfter) + " objects after, quota " + num(t.quota)));
      svg.appendChild(r);
      svg.appendChild(sv("line", { x1: 150 + 800 * t.quota / max, y1: y, x2: 150 + 800 * t.quota / max, y2: y + bh, stroke: "#1b1f24", "stroke-width": 2 }));
    });
    var box = el("div", { "class": "figure" }); box.appendChild(svg); cs.appendChild(box);
    cs.appendChild(el("p", { "class": "legend" }, ["bars: directory objects after convergence (red: over quota) · black mark: the quota" + (f.tenants.length > 40 ? " · the 40 busiest of " + f.tenants.length + " tenants" : "")]));
    var tt = sec("tenants", "Tenants");
    table(tt, ["tenant", "internal users", "accounts in", "as Member", "objects now", "objects after", "quota", "headroom", "P1 needed", "P1 licences"],
      f.tenants.map(function (t) { return [t.name, t.internalUsers, t.accountsIn, t.accountsInMembers, t.objectsNow, t.objectsAfter, t.quota, t.headroom, t.p1Needed, t.p1Licenses === null ? "not limited" : t.p1Licenses]; }),
      [0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    var ps = sec("pairs", "Pairs (source → target)");
    table(ps, ["source", "target", "now", "after", "in scope", "create", "matched", "restore", "delete", "held", "failures"],
      f.pairs.map(function (p) { return [p.source, p.target, p.now, p.after, p.inScope, p.create, p.matched, p.restore, p.delete, p.held, p.failures.map(function (x) { return x.code + " ×" + x.count; }).join(", ")]; }),
      [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  }
  function sweepPage() {
    var s = data("d-sweep"), main = $("main");
    var sec = el("section", { id: "table", "aria-labelledby": "h-table", "aria-label": "sweep table" }, [el("h2", { id: "h-table" }, ["Table"])]);
    main.appendChild(sec);
    table(sec, s.columns, s.rows, s.columns.map(function () { return 1; }));
  }

  try {
    var kind = document.body.getAttribute("data-page");
    if (kind === "run") runPage(); else if (kind === "whatif") whatifPage(); else if (kind === "sweep") sweepPage();
    document.body.setAttribute("data-ready", "true");
  } catch (e) {
    document.body.setAttribute("data-ready", "error");
    document.body.insertBefore(el("p", { "class": "warn" }, ["The report could not be drawn: " + e.message]), document.body.firstChild);
    throw e;
  }
})();
