// The docs page's glue, a file because the page's CSP allows no inline
// script: it starts Swagger UI on the document and logs in, so that "try
// it out" sends the caller's credentials. JWT: the access token as
// Authorization: Bearer. Session: the cookies go by themselves; unsafe
// methods carry the CSRF cookie's value in the CSRF header.
(function () {
  "use strict";
  var form = document.getElementById("ward-login");
  var cfg = form.dataset;
  var status = document.getElementById("ward-login-status");
  var access = null;

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === name) {
        return decodeURIComponent(parts[i].slice(eq + 1));
      }
    }
    return "";
  }

  var ui = window.SwaggerUIBundle({
    url: cfg.schema,
    dom_id: "#swagger-ui",
    deepLinking: false,
    tryItOutEnabled: true,
    requestInterceptor: function (req) {
      if (access && !req.headers.Authorization) {
        req.headers.Authorization = "Bearer " + access;
      }
      if (cfg.csrfCookie) {
        var csrf = cookie(cfg.csrfCookie);
        if (csrf) {
          req.headers[cfg.csrfHeader] = csrf;
        }
      }
      req.credentials = "same-origin";
      return req;
    }
  });
  window.wardDocs = ui;

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var url = cfg.jwtLogin || cfg.sessionLogin;
    status.textContent = "logging in…";
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        username: document.getElementById("ward-username").value,
        password: document.getElementById("ward-password").value
      })
    }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) {
          access = null;
          status.textContent = "login failed: " + (body.detail || res.status);
          return;
        }
        if (cfg.jwtLogin) {
          access = body.access_token;
        }
        status.textContent = "logged in";
      });
    }).catch(function () {
      status.textContent = "login failed";
    });
  });
})();
