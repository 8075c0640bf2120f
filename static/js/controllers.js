// The controllers of the screens behind the unlock: search, incidents, the team, the poster's
// chooser, push on this device. app.js loads this module on first use (or when the browser is
// idle once a first screen shows), as views/app.js loads views/main.js, so that a new device's
// "choose a PIN" and the unlock screen wait on fewer modules (docs/PERFORMANCE.md).

export { createIncidentController } from "./incident-controller.js";
export { createPosterChooser } from "./poster-choice.js";
export { browserEnv, readSwitch, turnOff, turnOn } from "./push-device.js";
export { createSearchClient } from "./search-client.js";
export { createTeam } from "./team.js";
