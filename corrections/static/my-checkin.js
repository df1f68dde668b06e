// The check-in page (/my/checkins/<id>): fill the browser's location and its accuracy
// into the form when the person allows it; a photo alone is submitted otherwise.
(function () {
  var status = document.getElementById("geo-status");
  var form = document.getElementById("checkin-form");
  if (!status || !form) return;
  form.addEventListener("submit", function () {
    document.getElementById("submit-checkin").disabled = true;
  });
  if (!navigator.geolocation) {
    status.textContent = status.dataset.none;
    return;
  }
  navigator.geolocation.getCurrentPosition(
    function (p) {
      document.getElementById("lat").value = p.coords.latitude;
      document.getElementById("lon").value = p.coords.longitude;
      document.getElementById("accuracy_m").value = Math.round(p.coords.accuracy);
      status.textContent = status.dataset.ok.replace("N", Math.round(p.coords.accuracy));
    },
    function () {
      status.textContent = status.dataset.fail;
    },
    { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
  );
})();
