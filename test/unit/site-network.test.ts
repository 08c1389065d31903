import type os from 'node:os';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { ListenerMoveError } from '../../electron/core/mqtt';
import {
  lanAddresses,
  listenErrorHost,
  startHost,
  switchFailureMessage,
  switchHosts,
  watchLanAddresses,
} from '../../electron/core/site-network';

function info(address: string, family: 'IPv4' | 'IPv6', internal = false): os.NetworkInterfaceInfo {
  const common = { address, netmask: '', mac: '00:00:00:00:00:00', internal, cidr: null };
  return family === 'IPv4'
    ? { ...common, family: 'IPv4' }
    : { ...common, family: 'IPv6', scopeid: 0 };
}

// A laptop on a plant network (eth0) and Wi-Fi, as os.networkInterfaces() reports it.
const LAPTOP = {
  lo: [info('127.0.0.1', 'IPv4', true), info('::1', 'IPv6', true)],
  eth0: [info('192.168.1.23', 'IPv4'), info('fe80::1', 'IPv6')],
  wlan0: [info('10.0.0.5', 'IPv4')],
  docker0: undefined,
};

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`listen ${code}`), { code });
}

describe('where devices connect', () => {
  it('lists every IPv4 address outside loopback for 0.0.0.0, with its interface', () => {
    expect(lanAddresses('0.0.0.0', 1883, 'mqtt', LAPTOP)).toEqual([
      { address: '192.168.1.23', interface: 'eth0', url: 'mqtt://192.168.1.23:1883' },
      { address: '10.0.0.5', interface: 'wlan0', url: 'mqtt://10.0.0.5:1883' },
    ]);
    expect(lanAddresses('::', 8883, 'mqtts', LAPTOP).map((a) => a.url)).toEqual([
      'mqtts://192.168.1.23:8883',
      'mqtts://10.0.0.5:8883',
    ]);
  });

  it('lists nothing when serving this computer only, or when it has no network', () => {
    expect(lanAddresses('127.0.0.1', 1883, 'mqtt', LAPTOP)).toEqual([]);
    expect(lanAddresses('::1', 1883, 'mqtt', LAPTOP)).toEqual([]);
    expect(lanAddresses('0.0.0.0', 1883, 'mqtt', { lo: LAPTOP.lo })).toEqual([]);
  });

  it('lists only the address bound to when it is one interface', () => {
    expect(lanAddresses('192.168.1.23', 1883, 'mqtt', LAPTOP)).toEqual([
      { address: '192.168.1.23', interface: 'eth0', url: 'mqtt://192.168.1.23:1883' },
    ]);
    expect(lanAddresses('fe80::1', 1883, 'mqtt', LAPTOP)).toEqual([
      { address: 'fe80::1', interface: 'eth0', url: 'mqtt://[fe80::1]:1883' },
    ]);
    expect(lanAddresses('172.16.0.9', 1883, 'mqtt', LAPTOP)).toEqual([
      { address: '172.16.0.9', interface: null, url: 'mqtt://172.16.0.9:1883' },
    ]);
  });
});

describe('watching where devices connect', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('tells once per change, when a cable is plugged in or pulled out', () => {
    vi.useFakeTimers();
    let interfaces: typeof LAPTOP | { lo: typeof LAPTOP.lo } = { lo: LAPTOP.lo };
    const onChange = vi.fn();
    const stop = watchLanAddresses(
      () => lanAddresses('0.0.0.0', 1883, 'mqtt', interfaces),
      onChange,
      1000,
    );
    vi.advanceTimersByTime(3000);
    expect(onChange).not.toHaveBeenCalled();
    interfaces = LAPTOP;
    vi.advanceTimersByTime(1000);
    expect(onChange).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(onChange).toHaveBeenCalledTimes(1);
    interfaces = { lo: LAPTOP.lo };
    vi.advanceTimersByTime(1000);
    expect(onChange).toHaveBeenCalledTimes(2);
    stop();
    interfaces = LAPTOP;
    vi.advanceTimersByTime(5000);
    expect(onChange).toHaveBeenCalledTimes(2);
  });
});

describe('the two positions of the switch', () => {
  it('is 127.0.0.1 / 0.0.0.0 when no host was given', () => {
    expect(switchHosts(undefined)).toEqual({ off: '127.0.0.1', on: '0.0.0.0' });
  });

  it('keeps a given host as the position it stands for', () => {
    expect(switchHosts('localhost')).toEqual({ off: 'localhost', on: '0.0.0.0' });
    expect(switchHosts('0.0.0.0')).toEqual({ off: '127.0.0.1', on: '0.0.0.0' });
    // One interface stays one interface: "on" never widens to every network.
    expect(switchHosts('192.168.1.23')).toEqual({ off: '127.0.0.1', on: '192.168.1.23' });
  });

  it('starts on the given host, else as the switch was left, else this computer only', () => {
    expect(startHost('192.168.1.23', false)).toBe('192.168.1.23');
    expect(startHost('127.0.0.1', true)).toBe('127.0.0.1');
    expect(startHost(undefined, true)).toBe('0.0.0.0');
    expect(startHost(undefined, false)).toBe('127.0.0.1');
    expect(startHost(undefined, undefined)).toBe('127.0.0.1');
  });

  it('names the host a failed start tried', () => {
    const busy = Object.assign(errno('EADDRINUSE'), { address: '0.0.0.0' });
    expect(listenErrorHost(busy, undefined)).toBe('0.0.0.0');
    expect(listenErrorHost(new Error('other'), '10.0.0.5')).toBe('10.0.0.5');
    expect(listenErrorHost(undefined, undefined)).toBe('127.0.0.1');
  });
});

describe('why a switch was refused', () => {
  it('says the port is taken and that nothing changed', () => {
    const error = new ListenerMoveError(
      '0.0.0.0',
      1883,
      errno('EADDRINUSE'),
      '127.0.0.1',
      undefined,
    );
    expect(error.restored).toBe(true);
    expect(switchFailureMessage(error, true)).toBe(
      'Cannot serve the site network: port 1883 is already used on another address of this ' +
        'computer (another station, or an MQTT broker such as Mosquitto?). Nothing changed: ' +
        'devices still connect to 127.0.0.1:1883 as before.',
    );
  });

  it('names what else may hold the HTTP or CoAP device port, not an MQTT broker', () => {
    const taken = (port: number, transport: 'http' | 'coap') =>
      switchFailureMessage(
        new ListenerMoveError(
          '0.0.0.0',
          port,
          errno('EADDRINUSE'),
          '127.0.0.1',
          undefined,
          transport,
        ),
        true,
      );
    expect(taken(8081, 'http')).toBe(
      'Cannot serve the site network: port 8081 of the HTTP device API is already used on ' +
        'another address of this computer (another station, or a web server?). Nothing ' +
        'changed: devices still connect to 127.0.0.1:8081 as before.',
    );
    expect(taken(5683, 'coap')).toBe(
      'Cannot serve the site network: port 5683 of the CoAP device API is already used on ' +
        'another address of this computer (another station, or another CoAP server?). ' +
        'Nothing changed: devices still connect to 127.0.0.1:5683 as before.',
    );
  });

  it('says a vanished interface address is gone', () => {
    const error = new ListenerMoveError(
      '192.168.1.23',
      1883,
      errno('EADDRNOTAVAIL'),
      '127.0.0.1',
      undefined,
    );
    expect(switchFailureMessage(error, true)).toMatch(
      /^Cannot serve the site network: 192\.168\.1\.23 is not an address of this computer any more/,
    );
  });

  it('says plainly when the old address could not be re-opened either', () => {
    const error = new ListenerMoveError(
      '127.0.0.1',
      80,
      errno('EACCES'),
      '0.0.0.0',
      errno('EADDRINUSE'),
    );
    expect(error.restored).toBe(false);
    expect(switchFailureMessage(error, false)).toBe(
      'Cannot serve this computer only: the system does not allow listening on 127.0.0.1:80 ' +
        '(ports below 1024 need administrator rights). The station could not listen on ' +
        '0.0.0.0:80 again either: no new device can connect until the switch is moved again or ' +
        'the station is restarted (devices already connected stay connected).',
    );
  });
});
