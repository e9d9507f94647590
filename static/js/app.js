// redstage: small enhancements on top of htmx. Every page also works without JavaScript.
(function () {
  "use strict";

  // Send the session's CSRF token with every htmx request. It is read from the current page
  // (not from a <body> attribute) because boosted navigation swaps the page but keeps <body>.
  document.addEventListener("htmx:configRequest", function (evt) {
    var holder = document.querySelector("[data-csrf-token]");
    if (holder) {
      evt.detail.headers["X-CSRF-Token"] = holder.getAttribute("data-csrf-token");
    }
  });

  // Form errors come back as 422 with the form re-rendered: swap them in. A boosted navigation
  // that ends on an error page (403/404/409/...) shows that page, as a full load would.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 422 || (evt.detail.boosted && status >= 400)) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  // The pipelines page's stream (server-sent events) brings only a pipeline's live card parts
  // while its stages stay as shown. When someone changed the pipeline it brings the whole block:
  // that waits while the user works inside it (a focused field, an open menu or rename box, a
  // stage form) and is applied once they leave, so nothing typed or opened is lost. A block of
  // the shape the page already has (the echo of the user's own edit, or a catch-up after a
  // reconnect) only refreshes the live parts.
  function busy(section) {
    var active = document.activeElement;
    if (active && active !== document.body && section.contains(active) &&
        active.matches("input, textarea, select, [contenteditable]")) { return true; }
    if (section.querySelector("details[open]")) { return true; }
    var slot = section.querySelector("[id$='-slot']");
    return !!(slot && slot.children.length);
  }
  var waiting = {};
  function liveParts(from) {
    from.querySelectorAll(".card-live[id], .play-slot[id]").forEach(function (part) {
      var old = document.getElementById(part.id);
      if (old) {
        var fresh = part.cloneNode(true);
        old.replaceWith(fresh);
        htmx.process(fresh);
      }
    });
  }
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var target = evt.detail.target;
    if (!(target && target.matches)) { return; }
    if (target.matches(".card-live, .play-slot")) {
      // A block that waits keeps up with its cards, so it is not stale once applied.
      var part = evt.detail.fragment && evt.detail.fragment.firstElementChild;
      Object.keys(waiting).forEach(function (id) {
        var old = part && waiting[id].querySelector("#" + CSS.escape(target.id));
        if (old) { old.replaceWith(part.cloneNode(true)); }
      });
      return;
    }
    if (!target.matches("section.pipeline")) { return; }
    var block = evt.detail.fragment && evt.detail.fragment.querySelector("section.pipeline");
    if (block && block.getAttribute("data-shape") === target.getAttribute("data-shape")) {
      evt.detail.shouldSwap = false;
      delete waiting[target.id];
      liveParts(block);
    } else if (busy(target)) {
      evt.detail.shouldSwap = false;
      if (block) {
        block.removeAttribute("hx-swap-oob");
        waiting[target.id] = block.cloneNode(true);
      }
    } else {
      delete waiting[target.id];
    }
  });
  // Apply the blocks that waited, once their user left them.
  function applyWaiting() {
    Object.keys(waiting).forEach(function (id) {
      var target = document.getElementById(id);
      if (!target) { delete waiting[id]; return; }
      if (busy(target)) { return; }
      var html = waiting[id].outerHTML;
      delete waiting[id];
      htmx.swap(target, html, { swapStyle: "outerHTML", swapDelay: 0, settleDelay: 0 });
    });
  }
  function soon() { setTimeout(applyWaiting, 0); }
  document.addEventListener("focusout", soon);
  document.addEventListener("toggle", soon, true);
  document.addEventListener("htmx:afterSettle", soon);

  function toast(text) {
    var box = document.getElementById("toasts");
    if (!box) { return; }
    var item = document.createElement("p");
    item.className = "flash flash-error toast";
    item.setAttribute("role", "alert");
    item.textContent = text;
    box.appendChild(item);
    setTimeout(function () { item.remove(); }, 8000);
  }

  // A fragment request that failed: say why, using the message of our error page.
  document.addEventListener("htmx:responseError", function (evt) {
    var text = "The request failed (" + evt.detail.xhr.status + ").";
    try {
      var doc = new DOMParser().parseFromString(evt.detail.xhr.responseText, "text/html");
      var message = doc.querySelector("[data-error-message]");
      if (message) { text = message.textContent.trim(); }
    } catch (e) { /* keep the generic text */ }
    toast(text);
  });

  // The promotion confirmation closes once the promotion started, or on Cancel.
  function closeDialog() {
    var slot = document.getElementById("dialog");
    if (slot) { slot.innerHTML = ""; }
  }
  document.addEventListener("promotion-started", closeDialog);
  document.addEventListener("click", function (evt) {
    var target = evt.target;
    if (target && target.closest && target.closest("[data-close-dialog]") && document.getElementById("dialog")) {
      evt.preventDefault();
      closeDialog();
    }
  });

  // A dropdown menu closes once one of its entries is chosen (htmx keeps the page, so it would stay open).
  document.addEventListener("click", function (evt) {
    var entry = evt.target && evt.target.closest ? evt.target.closest("details.dropdown a, details.dropdown button") : null;
    var menu = entry ? entry.closest("details.dropdown") : null;
    if (menu) { menu.removeAttribute("open"); }
  });

  document.addEventListener("htmx:sendError", function () {
    toast("The server did not answer. Check your connection and try again.");
  });
})();
