// The finder's "Use my location" button (progressive enhancement: without JavaScript the button stays hidden
// and the municipality field does the job). The browser's position goes only into the search's lat/lon fields.
(function () {
  "use strict";
  function init() {
    var button = document.getElementById("finder-near-me");
    var form = document.getElementById("finder-form");
    if (!button || !form || !("geolocation" in navigator)) {
      return;
    }
    var status = document.getElementById("finder-near-me-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(
        function (position) {
          document.getElementById("id_lat").value = position.coords.latitude.toFixed(5);
          document.getElementById("id_lon").value = position.coords.longitude.toFixed(5);
          document.getElementById("id_obec").value = "";
          button.disabled = false;
          form.requestSubmit ? form.requestSubmit() : form.submit();
        },
        function () {
          button.disabled = false;
          if (status) {
            status.textContent = button.getAttribute("data-error") || "";
          }
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
      );
    });
    // A typed municipality wins over an earlier position.
    document.getElementById("id_obec").addEventListener("input", function () {
      document.getElementById("id_lat").value = "";
      document.getElementById("id_lon").value = "";
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
