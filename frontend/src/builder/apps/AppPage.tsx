// Placeholder: replaced by the page's implementation.
export default function AppPage({ appKey }: { appKey: string }) {
  return <main id="main" className="page"><h1>AppPage</h1>{JSON.stringify([appKey].filter(Boolean))}</main>
}
