/* 信息遮盖: draw boxes over the applicant's name on an image, or on every page of a PDF (rasterised
 * by the server), with mouse, finger or keyboard.
 * Boxes are kept in each image's own pixels (naturalWidth × naturalHeight) so the server burns
 * exactly what was drawn, whatever the screen size: [x, y, w, h] for an image, [x, y, w, h, page]
 * for a PDF's page (0-based).  OCR proposals (dashed) can be adopted.
 * Keyboard: a page takes focus; Enter adds a box in the middle, the arrows move the chosen box,
 * Shift + arrows change its size, PageUp / PageDown choose another box, Delete removes it. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("mask-form");
    if (!form) return;
    var paged = form.getAttribute("data-paged") === "1";
    var hidden = document.getElementById("mask-boxes");
    var tools = form.querySelector(".mask-tools");
    var ocrState = form.querySelector(".ocr-state");
    var useOcr = form.querySelector("[data-action=use-ocr]");
    var error = form.querySelector(".mask-error");
    var status = JSON.parse(document.getElementById("mask-status").textContent);
    var kbdStatus = form.querySelector(".mask-kbd-status");
    // Every box as [x, y, w, h, page]; an image is page 0 and is sent without the page.
    var boxes = (status.boxes || []).map(function (b) { return b.length === 5 ? b.slice() : b.concat([0]); });
    var proposals = [];
    var drawing = null;
    var selected = boxes.length - 1;

    var stages = Array.prototype.map.call(form.querySelectorAll(".mask-stage"), function (element, index) {
      var page = element.hasAttribute("data-page") ? parseInt(element.getAttribute("data-page"), 10) : index;
      var canvas = element.querySelector("canvas");
      return { page: page, image: element.querySelector("img"), canvas: canvas, ctx: canvas.getContext("2d") };
    });
    if (!stages.length) return;  // the scan could not be processed: nothing to draw on
    var current = stages[0];

    function stageOf(page) { return stages.filter(function (s) { return s.page === page; })[0]; }
    function scale(stage) { return stage.image.naturalWidth ? stage.image.clientWidth / stage.image.naturalWidth : 1; }
    function natural(stage) { return [stage.image.naturalWidth || 1000, stage.image.naturalHeight || 1000]; }

    function answer() {
      var checked = form.querySelector("input[name=needs_masking]:checked");
      return checked ? checked.value : null;
    }

    function serialise() {
      hidden.value = JSON.stringify(boxes.map(function (b) { return paged ? b.slice(0, 5) : b.slice(0, 4); }));
    }

    function redrawStage(stage) {
      var canvas = stage.canvas, ctx = stage.ctx;
      canvas.width = stage.image.clientWidth;
      canvas.height = stage.image.clientHeight;
      var s = scale(stage);
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      if (answer() !== "1") return;
      ctx.setLineDash([6, 4]);
      ctx.strokeStyle = "#d92d20";
      ctx.lineWidth = 2;
      proposals.forEach(function (b) { if (b[4] === stage.page) ctx.strokeRect(b[0] * s, b[1] * s, b[2] * s, b[3] * s); });
      ctx.setLineDash([]);
      ctx.fillStyle = "rgba(0, 0, 0, 0.88)";
      boxes.concat(drawing ? [drawing] : []).forEach(function (b) {
        if (b[4] === stage.page) ctx.fillRect(b[0] * s, b[1] * s, b[2] * s, b[3] * s);
      });
      var chosen = boxes[selected];
      if (document.activeElement === canvas && chosen && chosen[4] === stage.page) {
        ctx.strokeStyle = "#f79009";
        ctx.lineWidth = 3;
        ctx.strokeRect(chosen[0] * s - 2, chosen[1] * s - 2, chosen[2] * s + 4, chosen[3] * s + 4);
      }
    }

    function redraw() { stages.forEach(redrawStage); serialise(); }

    function say() {
      if (!kbdStatus) return;
      var b = boxes[selected];
      if (!b) { kbdStatus.textContent = boxes.length ? "" : "还没有遮盖框。按 Enter 添加一个。"; return; }
      var n = natural(stageOf(b[4]) || current);
      kbdStatus.textContent = (paged ? "第" + (b[4] + 1) + "页，" : "") + "第" + (selected + 1) + "个框（共" +
        boxes.length + "个）：距左边" + Math.round(b[0] * 100 / n[0]) + "%，距上边" + Math.round(b[1] * 100 / n[1]) +
        "%，宽" + Math.round(b[2] * 100 / n[0]) + "%，高" + Math.round(b[3] * 100 / n[1]) + "%。";
    }

    function addBox(stage) {
      var n = natural(stage);
      boxes.push([Math.round(n[0] * 0.3), Math.round(n[1] * 0.45), Math.round(n[0] * 0.4), Math.round(n[1] * 0.06), stage.page]);
      selected = boxes.length - 1;
      error.hidden = true;
      redraw(); say();
    }

    function clamp(b) {
      var n = natural(stageOf(b[4]) || current);
      b[2] = Math.max(6, Math.min(b[2], n[0]));
      b[3] = Math.max(6, Math.min(b[3], n[1]));
      b[0] = Math.max(0, Math.min(b[0], n[0] - b[2]));
      b[1] = Math.max(0, Math.min(b[1], n[1] - b[3]));
    }

    stages.forEach(function (stage) {
      var canvas = stage.canvas;
      function point(event) {
        var rect = canvas.getBoundingClientRect();
        var s = scale(stage);
        return [(event.clientX - rect.left) / s, (event.clientY - rect.top) / s];
      }
      canvas.addEventListener("pointerdown", function (event) {
        if (answer() !== "1") return;
        event.preventDefault();
        current = stage;
        canvas.setPointerCapture(event.pointerId);
        var p = point(event);
        drawing = [p[0], p[1], 0, 0, stage.page];
        drawing.origin = p;
      });
      canvas.addEventListener("pointermove", function (event) {
        if (!drawing || drawing[4] !== stage.page) return;
        event.preventDefault();
        var p = point(event), o = drawing.origin;
        drawing[0] = Math.min(o[0], p[0]); drawing[1] = Math.min(o[1], p[1]);
        drawing[2] = Math.abs(p[0] - o[0]); drawing[3] = Math.abs(p[1] - o[1]);
        redrawStage(stage);
      });
      function finish() {
        if (!drawing) return;
        if (drawing[2] * scale(stage) >= 6 && drawing[3] * scale(stage) >= 6) {
          boxes.push([Math.round(drawing[0]), Math.round(drawing[1]), Math.round(drawing[2]), Math.round(drawing[3]), stage.page]);
          selected = boxes.length - 1;
        }
        drawing = null;
        error.hidden = true;
        redraw();
      }
      canvas.addEventListener("pointerup", finish);
      canvas.addEventListener("pointercancel", finish);

      canvas.addEventListener("keydown", function (event) {
        if (answer() !== "1") return;
        current = stage;
        var n = natural(stage);
        var dx = Math.round(n[0] * 0.02), dy = Math.round(n[1] * 0.01);
        var moves = { ArrowLeft: [-dx, 0], ArrowRight: [dx, 0], ArrowUp: [0, -dy], ArrowDown: [0, dy] };
        var b = boxes[selected];
        if (event.key === "Enter" || event.key === " ") {
          addBox(stage);
        } else if (moves[event.key] && b) {
          var m = moves[event.key];
          if (event.shiftKey) { b[2] += m[0]; b[3] += m[1]; } else { b[0] += m[0]; b[1] += m[1]; }
          clamp(b); redraw(); say();
        } else if ((event.key === "Delete" || event.key === "Backspace") && b) {
          boxes.splice(selected, 1);
          selected = Math.min(selected, boxes.length - 1);
          redraw(); say();
        } else if ((event.key === "PageDown" || event.key === "PageUp") && boxes.length) {
          selected = (selected + (event.key === "PageDown" ? 1 : boxes.length - 1)) % boxes.length;
          redraw(); say();
        } else {
          return;
        }
        event.preventDefault();
      });
      canvas.addEventListener("focus", function () { current = stage; redraw(); say(); });
      canvas.addEventListener("blur", redraw);
    });

    form.querySelector("[data-action=undo]").addEventListener("click", function () {
      boxes.pop(); selected = boxes.length - 1; redraw(); say();
    });
    form.querySelector("[data-action=clear]").addEventListener("click", function () {
      boxes = []; selected = -1; redraw(); say();
    });
    var addButton = form.querySelector("[data-action=add]");
    if (addButton) addButton.addEventListener("click", function () { addBox(current); current.canvas.focus(); });
    useOcr.addEventListener("click", function () {
      proposals.forEach(function (b) { boxes.push(b.slice()); });
      proposals = [];
      useOcr.hidden = true;
      redraw();
    });

    function showTools() {
      var yes = answer() === "1";
      tools.hidden = !yes;
      stages.forEach(function (stage) {
        stage.canvas.classList.toggle("active", yes);
        if (yes) { stage.canvas.setAttribute("tabindex", "0"); } else { stage.canvas.removeAttribute("tabindex"); }
      });
      redraw();
    }
    form.querySelectorAll("input[name=needs_masking]").forEach(function (radio) {
      radio.addEventListener("change", showTools);
    });

    function applyStatus(data) {
      if (data.ocr_status === "done") {
        var fresh = (data.ocr_hits || []).map(function (h) { return h.box.slice(0, 4).concat([h.page || 0]); });
        proposals = boxes.length ? [] : fresh;
        if (fresh.length) {
          ocrState.textContent = "已识别出 " + fresh.length + " 处姓名或身份证号（红色虚线框），可点击“采用识别出的位置”，再检查是否盖全。";
          useOcr.hidden = boxes.length > 0;
          if (answer() === null) {
            var yes = form.querySelector("input[name=needs_masking][value='1']");
            yes.checked = true;
            showTools();
          }
        } else {
          ocrState.textContent = "未自动识别出姓名，请核对" + (paged ? "每一页" : "图片") + "；如有姓名，请手动框选。";
        }
      } else if (data.ocr_status === "unavailable" || data.ocr_status === "error") {
        ocrState.textContent = "自动识别不可用，请手动框选。";
      }
      redraw();
    }

    var polls = 0;
    function poll() {
      var url = form.getAttribute("data-status-url");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          applyStatus(data);
          var check = form.querySelector(".mask-check");
          if (check && data.mask_check_status === "leak") {
            check.innerHTML = "<span class='field-error'>警告：遮盖件上仍能识别出本人姓名或身份证号，请补充框选。</span>";
          } else if (check && data.mask_check_status === "clean") {
            check.textContent = "复查：遮盖件上已识别不出姓名和身份证号。";
          }
          if ((data.ocr_status === "pending" || data.mask_check_status === "pending") && ++polls < 40) {
            setTimeout(poll, 1500);
          }
        }).catch(function () { /* polling is a convenience: manual boxes always work */ });
    }

    form.addEventListener("submit", function (event) {
      serialise();
      if (answer() === null) {
        event.preventDefault();
        error.textContent = paged ? "请先回答：这个PDF上有没有本人姓名？" : "请先回答：这张图片上有没有本人姓名？";
        error.hidden = false;
      } else if (answer() === "1" && !boxes.length) {
        event.preventDefault();
        error.textContent = paged ? "请在PDF的页面上框出本人姓名（拖动画框），或选择“否”。" : "请在图片上框出本人姓名（拖动画框），或选择“否”。";
        error.hidden = false;
      }
    });

    var waiting = stages.length;
    function ready() {
      if (--waiting > 0) return;
      showTools(); applyStatus(status);
      if (status.ocr_status === "pending" || status.mask_check_status === "pending") poll();
    }
    stages.forEach(function (stage) {
      if (stage.image.complete && stage.image.naturalWidth) ready(); else stage.image.addEventListener("load", ready);
    });
    window.addEventListener("resize", redraw);
  });
})();
