/** The address layer the guest/host checks stand on: IPv4 and IPv6, prefix lengths, defaults, link-local. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressText, contains, isDefaultRoute, isLinkLocal, isPrivate, isUnspecified, networkText, parsePrefix, sameAddress } from '../../../server/src/engine/addresses';

const p = (text: string) => {
  const parsed = parsePrefix(text);
  assert.ok(parsed, `${text} parses`);
  return parsed;
};

test('IPv4 prefixes: containment follows the prefix length', () => {
  assert.equal(contains(p('10.0.0.1/24'), p('10.0.0.254/24')), true);
  assert.equal(contains(p('10.0.0.1/24'), p('10.0.1.1/24')), false);
  assert.equal(contains(p('10.0.0.1/23'), p('10.0.1.1')), true);
  assert.equal(contains(p('192.168.1.2/32'), p('192.168.1.3')), false);
  assert.equal(contains(p('192.168.1.2/32'), p('192.168.1.2')), true);
  assert.equal(networkText(p('10.0.1.77/23')), '10.0.0.0/23');
  assert.equal(networkText(p('172.16.5.4/12')), '172.16.0.0/12');
});

test('IPv6 prefixes: containment, normalized text, families never mix', () => {
  assert.equal(contains(p('fd12:3456:789a::1/64'), p('fd12:3456:789a::5/64')), true);
  assert.equal(contains(p('fd12:3456:789a::1/64'), p('fd12:3456:789b::5/64')), false);
  assert.equal(contains(p('2001:db8::/32'), p('2001:db8:ffff::1')), true);
  assert.equal(networkText(p('2001:db8:0:1::a/64')), '2001:db8:0:1::/64');
  assert.equal(addressText(p('2001:0db8:0000::000a/64')), '2001:db8::a');
  assert.equal(sameAddress(p('2001:db8::a/64'), p('2001:db8:0::a/128')), true);
  assert.equal(contains(p('::/0'), p('10.0.0.1')), false, 'an IPv6 default does not hold an IPv4 address');
  assert.equal(contains(p('0.0.0.0/0'), p('fd00::1')), false);
});

test('defaults, link-local, unspecified and private ranges', () => {
  assert.equal(isDefaultRoute(p('::/0')), true);
  assert.equal(isDefaultRoute(p('0.0.0.0/0')), true);
  assert.equal(isDefaultRoute(p('10.0.0.0/8')), false);
  assert.equal(contains(p('::/0'), p('2001:db8::1')), true);
  assert.equal(contains(p('0.0.0.0/0'), p('8.8.8.8')), true);
  assert.equal(isLinkLocal(p('fe80::1/64')), true);
  assert.equal(isLinkLocal(p('169.254.3.4/16')), true);
  assert.equal(isLinkLocal(p('fd00::1/64')), false);
  assert.equal(isUnspecified(p('0.0.0.0/24')), true);
  assert.equal(isPrivate(p('10.1.2.3')), true);
  assert.equal(isPrivate(p('172.31.0.1')), true);
  assert.equal(isPrivate(p('100.64.0.1')), true);
  assert.equal(isPrivate(p('fd00::5/64')), true);
  assert.equal(isPrivate(p('fec0::5/128')), true, 'the routed-network guide uses site-local fec0::/10');
  assert.equal(isPrivate(p('2001:db8::5')), false);
  assert.equal(isPrivate(p('192.0.2.1')), false);
});

test('bare addresses are host prefixes; malformed text is not an address', () => {
  assert.equal(p('10.0.0.5').length, 32);
  assert.equal(p('fec0::5').length, 128);
  for (const bad of ['10.0.0.256/24', '10.0.0/24', '010.0.0.1', '10.0.0.1/33', 'fe80::1/129', 'fe80::1%eth0', 'dhcp', '', '10.0.0.1/', '10.0.0.1/x', '::ffff:zz']) {
    assert.equal(parsePrefix(bad), null, bad);
  }
});
