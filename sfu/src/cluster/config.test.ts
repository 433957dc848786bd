import { describe, expect, it } from 'vitest';
import { readSfuClusterConfig } from './config';

describe('readSfuClusterConfig', () => {
  it('is off without SFU_URLS, with its thresholds’ defaults', () => {
    expect(readSfuClusterConfig({})).toEqual({
      urls: undefined,
      secret: undefined,
      roomPeersPerNode: 200,
      staleMs: 3000,
    });
  });

  it('splits SFU_URLS and requires the shared secret', () => {
    const secret = 'a-secret-of-enough-length';
    const config = readSfuClusterConfig({
      SFU_URLS: 'ws://a:4443/sfu-rpc, ws://b:4443/sfu-rpc,',
      SFU_RPC_SECRET: secret,
      SFU_ROOM_PEERS_PER_NODE: '2',
    });
    expect(config).toMatchObject({
      urls: ['ws://a:4443/sfu-rpc', 'ws://b:4443/sfu-rpc'],
      secret,
      roomPeersPerNode: 2,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => readSfuClusterConfig({ SFU_URLS: 'ws://a:4443/sfu-rpc' })).toThrow(
      /SFU_RPC_SECRET/,
    );
    expect(() => readSfuClusterConfig({ SFU_URLS: 'http://a', SFU_RPC_SECRET: secret })).toThrow(
      /SFU_URLS/,
    );
  });
});
