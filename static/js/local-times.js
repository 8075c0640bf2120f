// Server pages write instants in UTC inside `<time datetime data-local-time>`: show them in the
// reader's own time zone and language, as the app does (views/format.js).

import { dateTime } from "./views/format.js";

for (const element of document.querySelectorAll("time[data-local-time]")) {
  const text = dateTime(element.dateTime, document.documentElement.lang);
  if (text) element.textContent = text;
}
