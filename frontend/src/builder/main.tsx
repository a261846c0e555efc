// Entry of the builder SPA. The Django page (apps/builder/templates/builder/index.html)
// gives a #builder-root element with the user's name, language and links in data-*.
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import App from './App'
import './builder.css'
import { initialLanguage, setLanguage } from './i18n'

const root = document.getElementById('builder-root')
if (root) {
  setLanguage(initialLanguage(root.dataset.language))
  document.documentElement.lang = initialLanguage(root.dataset.language)
  createRoot(root).render(
    <StrictMode>
      <App
        context={{
          user: root.dataset.user ?? '',
          logoutUrl: root.dataset.logoutUrl ?? '/workspace/logout/',
          workspaceUrl: root.dataset.workspaceUrl ?? '/workspace/'
        }}
      />
    </StrictMode>
  )
}
