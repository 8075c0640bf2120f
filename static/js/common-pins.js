// Six-digit PINs people choose most often, as data: the lists published from leaked PIN and
// password sets (DataGenetics' PIN analysis, the "most common passwords" lists of 6-digit
// numbers) agree on these. Repeated digits, sequences, repeated blocks and years are refused by
// rule in pin-rules.js and are not listed again.
export const COMMON_PINS = Object.freeze([
  "112233", "123321", "654321", "123654", "159753", "147258", "147852", "159357", "258456",
  "789456", "456789", "456123", "321654", "102030", "112358", "131313", "142536", "123789",
  "100200", "110110", "121314", "123465", "124578", "135790", "147369", "159951", "198989",
  "252525", "292513", "520520", "666999", "696969", "741852", "753951", "778899", "852456",
  "963852", "987456", "998877", "101112", "010203", "369369", "007007", "123000", "111222",
  "000111", "112211", "121121", "131415", "246810", "135246", "369258", "951753", "357159",
]);
