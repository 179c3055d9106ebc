// Opened from the disk (file://), the browser will not start the search's worker:
// the search box says so, and how to serve the site, instead of "Initializing search"
// for ever.
(function () {
  if (location.protocol !== "file:") return;
  const advice = "Search needs the site served: python -m http.server -d site";
  function explain() {
    for (const input of document.querySelectorAll("input.md-search__input")) {
      input.placeholder = advice;
      input.title = advice;
    }
    for (const meta of document.querySelectorAll(".md-search-result__meta")) {
      meta.textContent = advice;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", explain);
  } else {
    explain();
  }
  document.addEventListener("focusin", explain);
})();
