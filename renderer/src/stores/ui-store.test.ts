import { describe, expect, it } from 'vitest';
import { DEFAULT_COLUMNS } from '../lib/device-columns';
import { createUiStore, DEVICE_COLUMNS_KEY, type ChoiceStorage } from './ui-store';

function memoryStorage(initial: Record<string, string> = {}): ChoiceStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return { data, getItem: (k) => data[k] ?? null, setItem: (k, v) => void (data[k] = v) };
}

describe('ui store: the Devices table columns', () => {
  it('starts with the defaults and remembers a choice for the next start', () => {
    const storage = memoryStorage();
    const ui = createUiStore(storage);
    expect(ui.getState().deviceColumns).toEqual(DEFAULT_COLUMNS);
    ui.getState().setDeviceColumns(['className', 'driver', 'address']);
    expect(ui.getState().deviceColumns).toEqual(['driver', 'className']);
    expect(JSON.parse(storage.data[DEVICE_COLUMNS_KEY]!)).toEqual(['driver', 'className']);
    expect(createUiStore(storage).getState().deviceColumns).toEqual(['driver', 'className']);
  });

  it('survives storage that is missing, broken or throws', () => {
    expect(createUiStore(null).getState().deviceColumns).toEqual(DEFAULT_COLUMNS);
    expect(createUiStore(memoryStorage({ [DEVICE_COLUMNS_KEY]: '{oops' })).getState().deviceColumns).toEqual(DEFAULT_COLUMNS);
    const throwing: ChoiceStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const ui = createUiStore(throwing);
    expect(ui.getState().deviceColumns).toEqual(DEFAULT_COLUMNS);
    ui.getState().setDeviceColumns(['ids']);
    expect(ui.getState().deviceColumns).toEqual(['ids']);
  });
});

describe('ui store: a device that leaves the scan', () => {
  it('closes its details and says which one, until another is opened', () => {
    const ui = createUiStore(null);
    ui.getState().selectDevice('0000:04:10.0');
    ui.getState().deviceVanished('0000:01:00.0');
    expect(ui.getState()).toMatchObject({ selectedDevice: '0000:04:10.0', vanishedDevice: null });
    ui.getState().deviceVanished('0000:04:10.0');
    expect(ui.getState()).toMatchObject({ selectedDevice: null, vanishedDevice: '0000:04:10.0' });
    ui.getState().selectDevice(null);
    expect(ui.getState().vanishedDevice).toBe('0000:04:10.0');
    ui.getState().selectDevice('0000:01:00.0');
    expect(ui.getState()).toMatchObject({ selectedDevice: '0000:01:00.0', vanishedDevice: null });
  });
});
