/** The application menu: File → Open snapshot… is how users read a host attached to a bug report. */
import { Menu, type MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  openSnapshot(): void;
  useLiveHost(): void;
  refresh(): void;
}

export function installMenu(actions: MenuActions, devTools: boolean): void {
  const template: MenuItemConstructorOptions[] = [
    {
      label: '&File',
      submenu: [
        { label: 'Open snapshot…', accelerator: 'CmdOrCtrl+O', click: () => actions.openSnapshot() },
        { label: 'Back to live host', accelerator: 'CmdOrCtrl+L', click: () => actions.useLiveHost() },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: '&View',
      submenu: [
        { label: 'Refresh', accelerator: 'F5', click: () => actions.refresh() },
        { type: 'separator' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { role: 'resetZoom' },
        ...(devTools ? ([{ type: 'separator' }, { role: 'toggleDevTools' }] as MenuItemConstructorOptions[]) : []),
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}
