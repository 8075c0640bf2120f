// The search worker: a module worker the page starts at unlock and ends at lock
// (search-client.js), wiring its messages to search-host.js, where search is made.

import { createSearchHost } from "./search-host.js";

const host = createSearchHost({ post: (message) => self.postMessage(message) });
self.addEventListener("message", (event) => host.handle(event.data));
