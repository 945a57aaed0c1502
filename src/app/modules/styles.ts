// Vant's design tokens and reset, then the app's theme on top. Each page imports the CSS of the
// Vant components it uses (`vant/es/<name>/index.css`), not their `style` entries: those also pull
// the ~50 KB icon font, which the app never shows.
import 'vant/es/style/base.css'
import '@/app/styles/main.css'
import '@/app/styles/elder.css'
