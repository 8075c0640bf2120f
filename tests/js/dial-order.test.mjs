// Quick dial puts the general emergency number first, then police, fire, ambulance/medical.
import { test } from "node:test";
import assert from "node:assert/strict";

import { dialOrder } from "../../static/js/dial-order.js";

const national = (name, service) => ({ name, tags: ["verify-locally", "national", `service:${service}`] });

test("emergency services come first in a fixed order, then the rest by name", () => {
  const contacts = [
    { name: "Zapata Seguridad", tags: [] },
    national("Denuncia anónima 089", "anonymous_report"),
    national("Ambulancia 131", "ambulance"),
    { name: "Alarmas Ávila" },
    national("Bomberos 132", "fire"),
    national("Guardia Nacional 088", "cybercrime"),
    national("Carabineros 133", "police"),
    national("Emergencias 911", "general"),
    { name: "alcaldía", tags: ["city"] }, // by name whatever the case and accents
  ];
  assert.deepEqual(
    dialOrder(contacts, "es").map((c) => c.name),
    [
      "Emergencias 911",
      "Carabineros 133",
      "Bomberos 132",
      "Ambulancia 131",
      // the other national services keep the server's order
      "Denuncia anónima 089",
      "Guardia Nacional 088",
      "Alarmas Ávila",
      "alcaldía",
      "Zapata Seguridad",
    ],
  );
});

test("two numbers of one service keep their order, and nothing is lost", () => {
  const contacts = [national("Policía Nacional 091", "police"), national("Guardia Civil 062", "police")];
  assert.deepEqual(dialOrder(contacts, "es"), contacts);
  assert.deepEqual(dialOrder(undefined, "es"), []);
  assert.notEqual(dialOrder(contacts, "es"), contacts); // a new array
});

test("the default playbooks' crisis kinds have names in both languages", async () => {
  const { crisisKindLabel, CRISIS_KIND_LABELS } = await import("../../static/js/labels.js");
  assert.equal(crisisKindLabel("illegal_content", "es"), "Contenido ilegal");
  assert.equal(crisisKindLabel("illegal_content", "en"), "Illegal content");
  assert.equal(crisisKindLabel("something typed", "en"), "something typed");
  assert.equal(crisisKindLabel(null, "en"), "");
  for (const labels of Object.values(CRISIS_KIND_LABELS)) assert.ok(labels.es && labels.en);
});
