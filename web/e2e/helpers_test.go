package e2e

import "github.com/chromedp/chromedp"

const ctrl = chromedp.ModifierCtrl

func chromedpClick(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)
}

func chromedpFocus(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Focus(chromedp.CSS(sel))
}

func chromedpEval(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](expr)
}

func chromedpViewport(w, h int64) chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(w, h)
}

func chromedpKeys(keys string, mod chromedp.Modifier) chromedp.Action[chromedp.Void] {
	if mod == 0 {
		return chromedp.KeyEvent(keys)
	}
	return chromedp.KeyEvent(keys, chromedp.KeyModifiers(mod))
}
