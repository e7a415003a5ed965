import { describe, expect, it } from "vitest";
import { forbiddenAddress, parseIpv4, parseIpv6 } from "@/lib/gateway/ip-address";

describe("IP addresses", () => {
  it("reads IPv4 in every form inet_aton accepts", () => {
    for (const text of ["169.254.169.254", "2852039166", "0xa9.0xfe.0xa9.0xfe", "0251.0376.0251.0376", "169.254.43518", "169.16689662", "0xA9FEA9FE"]) {
      expect(parseIpv4(text), text).toEqual([169, 254, 169, 254]);
    }
    for (const text of ["", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "4294967296", "09.1.1.1", "1.2.3.x", "api.openai.com", "1.2.3.4."]) {
      expect(parseIpv4(text), text).toBeNull();
    }
  });

  it("reads IPv6 with brackets, a zone id or a dotted IPv4 tail", () => {
    const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254];
    expect(parseIpv6("::ffff:169.254.169.254")).toEqual(mapped);
    expect(parseIpv6("[::FFFF:a9fe:a9fe]")).toEqual(mapped);
    expect(parseIpv6("0:0:0:0:0:ffff:a9fe:a9fe")).toEqual(mapped);
    expect(parseIpv6("fe80::1%eth0")).toEqual([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    for (const text of ["1:2:3:4:5:6:7:8:9", "1::2::3", "::g", "12345::", "1:2:3:4:5:6:7", "::ffff:300.1.1.1", "localhost"]) {
      expect(parseIpv6(text), text).toBeNull();
    }
  });

  it("judges embedded IPv4 by the IPv4 address, and leaves loopback and private ranges alone", () => {
    expect(forbiddenAddress("::ffff:169.254.169.254")).toBe("a link-local address");
    expect(forbiddenAddress("64:ff9b::a9fe:a9fe")).toBe("a link-local address");
    expect(forbiddenAddress("64:ff9b:1::6464:64c8")).toBe("a cloud metadata address"); // 100.100.100.200
    expect(forbiddenAddress("fd00:ec2::254")).toBe("a cloud metadata address");
    for (const ok of ["127.0.0.1", "::1", "::ffff:127.0.0.1", "10.1.2.3", "192.168.0.1", "172.31.255.255", "fd00::1", "2001:db8::1", "api.openai.com"]) {
      expect(forbiddenAddress(ok), ok).toBeNull();
    }
  });
});
