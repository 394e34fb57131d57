// Character count (a small enhancement; the page works without it): below each textarea with
// `data-count-message` (with %n for the number), says how many characters are left, politely to screen readers.
(function () {
  document.querySelectorAll('textarea[maxlength][data-count-message]').forEach(function (area) {
    var max = Number(area.getAttribute('maxlength'));
    var status = document.createElement('p');
    status.className = 'hint character-count';
    status.setAttribute('aria-live', 'polite');
    status.id = area.id + '-count';
    area.insertAdjacentElement('afterend', status);
    var template = area.getAttribute('data-count-message');
    var update = function () {
      var left = max - area.value.length;
      status.textContent = template.replace('%n', String(left));
    };
    area.addEventListener('input', update);
    update();
  });
})();
