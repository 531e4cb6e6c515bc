"""The web console: the fake cloud's state, faults and journal in a browser, and a few levers.

``GET /_iotfake/console`` (and ``/_ns/NAME/_iotfake/console`` for a namespace) answers with the
same loopback/admin-token rule and browser guard as the admin API, because it is part of it:

- ``views``: the pages, rendered on the server with Jinja2 (templates and the one stylesheet and
  script are in the package: no CDN, no build step);
- ``queries``: what the pages show, read from the registry with its lock held only to copy
  (a 100,000-device list is sorted, searched and paged outside it);
- ``actions``: what the console changes (fault rules added, paused, removed; reset; the clock;
  a bundled scenario), each the admin API's own operation with its validation and error text.

Changes are JSON ``POST``s from the page's own script carrying the page's token
(``X-Iotfake-Console``): a cross-site form cannot send JSON without a preflight the server never
answers, the browser guard refuses foreign origins, and the token ties a change to a page this
server rendered.
"""
