// Package e2e holds the playground's end-to-end tests: the site served by
// `happens serve`'s handler, driven in headless Chromium (Debian's
// chromium package) through chromedp. They load the page, run examples,
// open share links, ask why an outcome cannot happen, switch models,
// cancel a long run, and check every example's counts against the native
// engine; screenshots go to web/e2e/artifacts (not committed).
//
// The browser is /usr/bin/chromium, or $HAPPENS_CHROME. Without one the
// tests fail and say how to install it (.ci/run installs it); they never
// skip silently. HAPPENS_E2E=skip skips them on purpose, saying so.
package e2e
