// Links a contact's values may become: tel:, sms:, wa.me, mailto: and a maps search. Each is
// built only from a value that passed a strict check, so a `javascript:` URL (or any other
// scheme typed into a field) never reaches an href. No DOM: tested with `node --test`.

const DIALABLE = /^\+?[0-9]{2,15}$/;
// Separators people type inside a number; anything else makes the number undialable.
const SEPARATORS = /[\s().\-]/g;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const MAPS = "https://www.google.com/maps/search/?api=1&query=";

/** Return the number as it can be dialled (E.164 or a short number), or null. */
export function dialable(number) {
  if (typeof number !== "string") return null;
  const plain = number.replace(SEPARATORS, "");
  return DIALABLE.test(plain) ? plain : null;
}

/** Return a `tel:` link for a number, or null. */
export function telHref(number) {
  const plain = dialable(number);
  return plain ? `tel:${plain}` : null;
}

/** Return an `sms:` link for a number, or null. */
export function smsHref(number) {
  const plain = dialable(number);
  return plain ? `sms:${plain}` : null;
}

/** Return a WhatsApp link (https://wa.me/ and the digits) for an international number, or null. */
export function whatsappHref(number) {
  const plain = dialable(number);
  // wa.me needs the country code: a short or national number cannot be addressed.
  return plain && plain.startsWith("+") ? `https://wa.me/${plain.slice(1)}` : null;
}

/** Return a `mailto:` link for an address, or null. */
export function mailtoHref(address) {
  if (typeof address !== "string") return null;
  const plain = address.trim();
  return EMAIL.test(plain) ? `mailto:${plain}` : null;
}

/** Return a maps search for an address (any text: it only ever becomes a query value), or null. */
export function mapsHref(address) {
  if (typeof address !== "string" || !address.trim()) return null;
  return MAPS + encodeURIComponent(address.trim());
}
