// Click a legend entry to hide or show that event type's bars. Works offline; no libraries.
document.querySelectorAll(".legend-item").forEach(function (item) {
  item.addEventListener("click", function () {
    var type = item.getAttribute("data-type");
    var off = item.classList.toggle("off");
    document.querySelectorAll(".bar").forEach(function (bar) {
      if (bar.getAttribute("data-type") === type) { bar.classList.toggle("hidden", off); }
    });
  });
});
