// Six-digit PINs people choose most often, as data: the lists published from leaked PIN and
// password sets (DataGenetics' PIN analysis, the "most common passwords" lists of 6-digit
// numbers) agree on these. Repeated digits, sequences, repeated blocks, lines on the keypad and
// years are refused by rule in pin-rules.js and are not listed again (a node test checks).
export const COMMON_PINS = Object.freeze([
  "112233", "112358", "142536", "100200", "121314", "123465", "124578", "135790", "292513",
  "666999", "778899", "998877", "101112", "010203", "123000", "111222", "000111", "112211",
  "131415", "246810", "135246",
]);
