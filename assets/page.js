// aftercare serve: sends the form with fetch and shows the answer without reloading the
// page. The answer is HTML rendered (and escaped) by the server, the same fragment a
// plain form post gets, so this script only moves it into place. Without JavaScript the
// form posts to / and the server returns the whole page.
(function () {
  'use strict';
  var form = document.getElementById('check-form');
  var result = document.getElementById('result');
  if (!form || !result || !window.fetch || !window.URLSearchParams || !window.FormData) {
    return;
  }

  // Dates are shown in the zone of the person's own computer.
  var tz = document.getElementById('tz');
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (tz && zone) {
      tz.value = zone;
    }
  } catch (e) {
    // No Intl: the server's zone is used.
  }

  var button = document.getElementById('check');
  var shortcut = document.getElementById('shortcut');
  if (shortcut) {
    shortcut.hidden = false;
  }

  function show(html) {
    result.innerHTML = html;
    result.focus();
    if (result.scrollIntoView) {
      result.scrollIntoView({ block: 'start' });
    }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    result.setAttribute('aria-busy', 'true');
    fetch('/result', {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin'
    })
      .then(function (response) {
        return response.text();
      })
      .then(show, function () {
        var p = document.createElement('p');
        p.className = 'answer problem';
        p.setAttribute('role', 'alert');
        p.textContent = 'The server did not answer. Is aftercare serve still running?';
        result.replaceChildren(p);
        result.focus();
      })
      .then(function () {
        button.disabled = false;
        result.removeAttribute('aria-busy');
      });
  });

  var label = document.getElementById('label');
  label.addEventListener('keydown', function (event) {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        button.click();
      }
    }
  });
})();
