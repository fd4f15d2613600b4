/**
 * The app shell: header, page navigation and the current page, with loading and error
 * states handled once here so pages can assume a scan is present.
 */
import { useEffect, type MouseEvent } from 'react';
import type { HostScan } from '#shared/model';
import { AppHeader } from './components/app-header';
import { EmptyState, ErrorNotice, Loading } from './components/feedback';
import { SideNav } from './components/side-nav';
import { formatClock } from './lib/format';
import { pageLabel, type PageId } from './lib/route';
import { DevicesPage } from './pages/devices/devices-page';
import { HistoryPage } from './pages/history/history-page';
import { GroupsPage } from './pages/groups/groups-page';
import { NetworkPage } from './pages/network/network-page';
import { OverviewPage } from './pages/overview/overview-page';
import { TopologyPage } from './pages/topology/topology-page';
import { VmsPage } from './pages/vms/vms-page';
import { startApp } from './stores/bootstrap';
import { scanStore, useScanStore } from './stores/scan-store';
import { sourceStore, useSourceStore } from './stores/source-store';
import { useUiStore } from './stores/ui-store';
import { useWizardStore } from './stores/wizard-store';
import { ChangeWizard } from './wizards/change-wizard';

function CurrentPage({ page, scan }: { page: PageId; scan: HostScan }) {
  switch (page) {
    case 'overview':
      return <OverviewPage scan={scan} />;
    case 'devices':
      return <DevicesPage scan={scan} />;
    case 'groups':
      return <GroupsPage scan={scan} />;
    case 'network':
      return <NetworkPage scan={scan} />;
    case 'topology':
      return <TopologyPage scan={scan} />;
    case 'history':
      return <HistoryPage />;
    case 'vms':
      return <VmsPage />;
  }
}

function focusMain(e: MouseEvent) {
  e.preventDefault();
  document.getElementById('main-content')?.focus();
}

export function App() {
  useEffect(() => startApp(), []);
  const page = useUiStore((s) => s.page);
  const status = useScanStore((s) => s.status);
  const scan = useScanStore((s) => s.scan);
  const error = useScanStore((s) => s.error);
  const loadedAt = useScanStore((s) => s.loadedAt);
  const sourceError = useSourceStore((s) => s.error);
  const retry = () => void scanStore.getState().load();
  const wizard = useWizardStore((s) => s.request);
  const wizardKey = useWizardStore((s) => s.openCount);

  let body;
  if (scan) {
    body = <CurrentPage page={page} scan={scan} />;
  } else {
    body = (
      <div className="page">
        <div className="page__head">
          <h1 id="page-title">{pageLabel(page)}</h1>
        </div>
        {status === 'error' && error ? (
          <ErrorNotice error={error} title="Could not read the host" onRetry={retry} />
        ) : status === 'error' ? (
          <EmptyState title="No data yet." />
        ) : (
          <Loading />
        )}
      </div>
    );
  }

  return (
    <div className="app">
      <a className="skip-link" href="#main-content" onClick={focusMain}>
        Skip to content
      </a>
      <AppHeader />
      <SideNav />
      <main id="main-content" className={`app-main app-main--${page}`} tabIndex={-1}>
        {sourceError && <ErrorNotice error={sourceError} title="Could not switch source" onDismiss={() => sourceStore.getState().dismissError()} />}
        {scan && error && <ErrorNotice error={error} title={`Could not refresh (showing data from ${loadedAt ? formatClock(loadedAt) : 'earlier'})`} onRetry={retry} />}
        {body}
      </main>
      {wizard && <ChangeWizard key={wizardKey} request={wizard} />}
    </div>
  );
}
