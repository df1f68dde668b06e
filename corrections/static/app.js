/* The pages' small behaviours, loaded on every page after Bootstrap (no inline script:
   the Content-Security-Policy allows scripts from this site only). Each part looks for its
   elements and does nothing when the page has none. Everything here is a convenience:
   the server checks every rule itself. */
(function () {
  'use strict';

  // Ask before a form is sent: data-confirm on the submit button (ending a case, voiding a
  // record) or on the form itself (closing a month, declaring a holiday year).
  document.addEventListener('submit', function (event) {
    var button = event.submitter;
    var form = event.target;
    var question = (button && button.dataset.confirm) || (form.dataset && form.dataset.confirm);
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  // Case pages: open the action section named in the address (#leave …) after a redirect,
  // or the one whose form was just refused (data-open-section).
  (function () {
    var marker = document.querySelector('[data-open-section]');
    var id = window.location.hash.slice(1) || (marker ? marker.dataset.openSection : '');
    var item = id && document.getElementById(id);
    if (item && item.classList.contains('accordion-item')) {
      var body = item.querySelector('.accordion-collapse');
      if (body && window.bootstrap) { new bootstrap.Collapse(body, {toggle: false}).show(); }
      if (marker && !window.location.hash) { item.scrollIntoView({block: 'start'}); }
    }
  })();

  // The error summary (GOV.UK pattern): focused when the page loads, so screen readers read
  // it and the phone shows it first; each link opens the section holding its field and
  // moves the focus into the field (the link itself works without script too).
  (function () {
    var summary = document.getElementById('error-summary');
    if (!summary) { return; }
    function reveal(el) {
      var body = el.closest('.accordion-collapse, .collapse');
      if (body && !body.classList.contains('show') && window.bootstrap) {
        new bootstrap.Collapse(body, {toggle: false}).show();
      }
      var box = el.closest('details');
      if (box) { box.open = true; }
    }
    summary.addEventListener('click', function (event) {
      var link = event.target.closest('a.error-summary-link');
      var field = link && document.getElementById(link.dataset.field);
      if (!field) { return; }
      event.preventDefault();
      reveal(field);
      var label = document.querySelector('label[for="' + field.id + '"]');
      (label || field).scrollIntoView({block: 'start'});
      field.focus({preventScroll: true});
      if (window.history && history.replaceState) { history.replaceState(null, '', '#' + field.id); }
    });
    if (!window.location.hash || window.location.hash === '#error-summary') {
      summary.focus();
      summary.scrollIntoView({block: 'start'});
    }
  })();

  // New case forms: show only the person part that applies.
  (function () {
    var radios = document.querySelectorAll('.person-mode');
    if (!radios.length) { return; }
    function sync() {
      var mode = (document.querySelector('.person-mode:checked') || {}).value || 'existing';
      document.querySelectorAll('.person-part').forEach(function (el) {
        el.classList.toggle('d-none', el.dataset.mode !== mode);
      });
    }
    radios.forEach(function (r) { r.addEventListener('change', sync); });
    sync();
  })();

  // New correction case: 暂外 grounds only for 暂予监外执行.
  (function () {
    var type = document.getElementById('correction_type');
    var grounds = document.getElementById('grounds-group');
    if (!type || !grounds) { return; }
    function syncGrounds() {
      var applies = type.value === 'temporary_release';
      var select = grounds.querySelector('select');
      if (!applies && !select.classList.contains('is-invalid')) { select.value = ''; }
      grounds.classList.toggle('d-none', !applies && !select.classList.contains('is-invalid'));
    }
    type.addEventListener('change', syncGrounds);
    syncGrounds();
  })();

  // New resettlement case: 原矫正类别 only for source=correction, and a hint (never a tick)
  // when a 重点-relevant flag is checked.
  (function () {
    var source = document.getElementById('source');
    var group = document.getElementById('ctype-group');
    if (source && group) {
      var syncType = function () {
        var select = group.querySelector('select');
        var show = source.value === 'correction' || select.classList.contains('is-invalid');
        group.classList.toggle('d-none', !show);
      };
      source.addEventListener('change', syncType);
      syncType();
    }
    var hint = document.getElementById('flag-hint');
    if (!hint) { return; }
    var names = JSON.parse(hint.dataset.names || '{}');
    function syncHint() {
      var picked = [];
      var mode = (document.querySelector('.person-mode:checked') || {}).value;
      document.querySelectorAll(mode === 'new' ? 'input[name="flags"]:checked' : 'none').forEach(function (box) {
        if (names[box.value]) { picked.push(names[box.value]); }
      });
      hint.textContent = hint.dataset.prefix + picked.join('、') + hint.dataset.suffix;
      hint.classList.toggle('d-none', picked.length === 0);
    }
    document.querySelectorAll('input[name="flags"], .person-mode').forEach(function (box) { box.addEventListener('change', syncHint); });
    syncHint();
  })();

  // Contact forms: 突击 / 夜间 only apply to 实地查访.
  document.querySelectorAll('form.contact-form').forEach(function (form) {
    var kind = form.querySelector('.contact-kind');
    var extra = form.querySelector('.visit-only');
    if (!kind || !extra) { return; }
    function sync() {
      var visit = kind.value === 'field_visit';
      extra.classList.toggle('d-none', !visit && !extra.querySelector('input:checked'));
    }
    kind.addEventListener('change', sync);
    sync();
  });

  // Activity form: reload the attendee list; tick all / none; count the ticks.
  (function () {
    var form = document.getElementById('activity-form');
    var reload = document.getElementById('reload-list');
    if (!form || !reload) { return; }
    // The list follows the station and the date; the CSRF token stays out of the URL.
    reload.addEventListener('click', function () {
      var token = form.querySelector('input[name="csrf_token"]');
      if (token) { token.disabled = true; }
    });
    form.querySelectorAll('.reload-list').forEach(function (el) {
      el.addEventListener('change', function () { if (el.value) { reload.click(); } });
    });
    var boxes = form.querySelectorAll('#attendee-list input[type=checkbox]');
    var count = document.getElementById('ticked-count');
    function recount() {
      if (count) { count.textContent = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length; }
    }
    boxes.forEach(function (b) { b.addEventListener('change', recount); });
    [['tick-all', true], ['tick-none', false]].forEach(function (pair) {
      var btn = document.getElementById(pair[0]);
      if (btn) {
        btn.addEventListener('click', function () {
          boxes.forEach(function (b) { b.checked = pair[1]; });
          recount();
        });
      }
    });
    recount();
  })();

  // Figures page: the period picker and "copy the report text".
  (function () {
    var form = document.getElementById('period-form');
    if (!form) { return; }
    function show() {
      var checked = form.querySelector('input[name=period]:checked');
      var mode = checked ? checked.value : 'month';
      ['month', 'quarter', 'custom'].forEach(function (m) {
        form.querySelectorAll('.when-' + m).forEach(function (el) {
          el.hidden = m !== mode;
          el.querySelectorAll('input, select').forEach(function (i) { i.disabled = m !== mode; });
        });
      });
    }
    form.querySelectorAll('input[name=period]').forEach(function (r) { r.addEventListener('change', show); });
    show();
    var button = document.getElementById('copy-text');
    if (!button) { return; }
    var label = button.textContent;
    function done(text) { button.textContent = text; setTimeout(function () { button.textContent = label; }, 2000); }
    function fallback(text) {
      var area = document.createElement('textarea');
      area.value = text; area.setAttribute('readonly', ''); area.style.position = 'fixed'; area.style.opacity = '0';
      document.body.appendChild(area); area.select();
      var ok = false;
      try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
      document.body.removeChild(area);
      done(ok ? button.dataset.done : button.dataset.failed);
    }
    button.addEventListener('click', function () {
      var text = document.getElementById('report-text').textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(button.dataset.done); }, function () { fallback(text); });
      } else { fallback(text); }
    });
  })();

  // 信息化核查 lists: a header checkbox selects or clears every row of its list.
  document.querySelectorAll('[data-check-all]').forEach(function (all) {
    all.addEventListener('change', function () {
      document.querySelectorAll('input[name=item][data-kind="' + all.dataset.checkAll + '"]')
        .forEach(function (box) { if (!box.disabled) { box.checked = all.checked; } });
    });
  });

  // Ledger import: a progress bar that polls while the form's request is running.
  (function () {
    var box = document.getElementById('import-progress');
    var form = box && document.getElementById(box.dataset.form);
    if (!form) { return; }
    var bar = box.querySelector('.progress-bar');
    bar.style.width = '0%';
    form.addEventListener('submit', function () {
      box.classList.remove('d-none');
      form.querySelectorAll('button[type=submit]').forEach(function (b) { b.disabled = true; });
      function poll() {
        fetch(box.dataset.url, {credentials: 'same-origin'}).then(function (r) { return r.json(); })
          .then(function (p) {
            if (p.total) {
              var pct = Math.round(100 * p.done / p.total);
              bar.style.width = pct + '%';
              bar.textContent = p.done + ' / ' + p.total;
            }
          }).catch(function () {}).finally(function () { setTimeout(poll, 700); });
      }
      setTimeout(poll, 300);
    });
  })();
})();
