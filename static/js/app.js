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

  // A pipeline's poll brings only its cards' live parts while its stages stay as shown. When
  // someone changed the pipeline it brings the whole block: that waits while the user works
  // inside it (a focused field, an open menu or rename box, a stage form) and comes with the
  // first poll after they leave, so nothing typed or opened is lost.
  function busy(section) {
    var active = document.activeElement;
    if (active && active !== document.body && section.contains(active) &&
        active.matches("input, textarea, select, [contenteditable]")) { return true; }
    if (section.querySelector("details[open]")) { return true; }
    var slot = section.querySelector("[id$='-slot']");
    return !!(slot && slot.children.length);
  }
  document.addEventListener("htmx:oobBeforeSwap", function (evt) {
    var target = evt.detail.target;
    if (target && target.matches && target.matches("section.pipeline") && busy(target)) {
      evt.detail.shouldSwap = false;
    }
  });

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
