import { serial } from "../../../emulator/tls/certs";

// Certificate serials must DER-encode minimally or OpenSSL refuses the certificate ("illegal padding"): 16 bytes,
// positive (top bit clear) and without a leading zero byte. The earlier "0" + 15 random bytes failed about once in
// 256 certificates, which made mTLS tests flaky.
test("10,000 serials are all 16 bytes, positive and without a leading zero byte", () => {
  for (let i = 0; i < 10_000; i++) {
    const hex = serial();
    expect(hex).toMatch(/^[0-7][0-9a-f]{31}$/);
    expect(hex.startsWith("00")).toBe(false);
  }
});
