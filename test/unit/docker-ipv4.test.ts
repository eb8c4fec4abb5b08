import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pickAddress, upperHalf } from '../../src/docker/ipv4.js';

describe('the addresses porter pins stack containers to', () => {
  it('leaves the upper half of a subnet to the engine', () => {
    assert.equal(upperHalf('172.24.0.0/16'), '172.24.128.0/17');
    assert.equal(upperHalf('10.1.2.0/24'), '10.1.2.128/25');
    assert.equal(upperHalf('10.1.2.7/24'), '10.1.2.128/25', 'a host address in the CIDR is read as its network');
    assert.equal(upperHalf('10.1.2.0/29'), undefined, 'too small to split');
    assert.equal(upperHalf('fd00::/64'), undefined, 'IPv4 only');
  });

  it('picks the lowest address outside the engine range, skipping the network address, the gateway and every used one', () => {
    const net = { subnet: '10.1.2.0/24', ipRange: '10.1.2.128/25', gateway: '10.1.2.1' };
    assert.equal(pickAddress(net, new Set()), '10.1.2.2');
    assert.equal(pickAddress(net, new Set(['10.1.2.2', '10.1.2.3'])), '10.1.2.4');
    const lowerHalf = Array.from({ length: 128 }, (_, i) => `10.1.2.${i}`);
    assert.equal(pickAddress(net, new Set(lowerHalf)), undefined, 'never an address of the engine range');
  });

  it('uses the whole subnet (but its last address) when the network has no range (made by an older porter)', () => {
    const used = new Set(Array.from({ length: 253 }, (_, i) => `192.168.9.${i + 2}`));
    assert.equal(pickAddress({ subnet: '192.168.9.0/24', gateway: '192.168.9.1' }, new Set(['192.168.9.2'])), '192.168.9.3');
    assert.equal(pickAddress({ subnet: '192.168.9.0/24', gateway: '192.168.9.1' }, used), undefined);
    assert.equal(pickAddress({ subnet: 'not a subnet' }, new Set()), undefined);
  });
});
