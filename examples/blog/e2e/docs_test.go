package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds the browser; without it the test skips, except on CI
// (CI=true), where .ci/run installs it and a missing browser fails.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is missing on CI: .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// TestDocsPageInBrowser opens /api/docs in headless Chromium, logs in
// through the page's form (JWT), and runs "try it out" on GET /api/notes,
// which needs authentication: the page must show 200. Any Content Security
// Policy violation or script error fails the test. The screenshot is
// saved as docs-page.png in the test's output folder (-args -shots DIR,
// else t.TempDir; CI keeps it under $WARD_ARTIFACTS when set).
func TestDocsPageInBrowser(t *testing.T) {
	bin := chromium(t)
	s := svc.StartServer(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Headless)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 150*time.Second)
	defer cancel()

	var mu sync.Mutex
	var problems []string
	err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if strings.Contains(ev.Entry.Text, "Content Security Policy") || ev.Entry.Level == log.EntryLevelError {
				problems = append(problems, "log: "+ev.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			problems = append(problems, "exception: "+ev.ExceptionDetails.Text)
		}
	})
	if err != nil {
		t.Fatal(err)
	}

	op := "#operations-notes-notesList"
	status, login, shot, err := drive(ctx, s.Base, op)
	dir := os.Getenv("WARD_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if len(shot) > 0 {
		p := filepath.Join(dir, "docs-page.png")
		if werr := os.WriteFile(p, shot, 0o644); werr == nil {
			t.Logf("screenshot: %s", p)
		}
	}
	if err != nil {
		t.Fatalf("driving the docs page: %v (login status %q)", err, login)
	}
	if !strings.HasPrefix(strings.TrimSpace(status), "200") {
		t.Errorf("try it out on GET /api/notes answered %q, want 200", status)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("the page reported %s", p)
	}
}

// drive logs in through the page and runs "try it out" on the operation
// op; it returns the answer's status as the page shows it, the login
// status and a screenshot.
func drive(ctx context.Context, base, op string) (status, login string, shot []byte, err error) {
	if err = chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		return
	}
	if _, err = chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		return
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/api/docs"),
		chromedp.WaitVisible(op),
		chromedp.SendKeys("#ward-username", "alice"),
		chromedp.SendKeys("#ward-password", "alice-pass-1"),
		chromedp.Click("#ward-login-button"),
	)
	if err != nil {
		return
	}
	if _, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("ward-login-status").textContent === "logged in"`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		login, _ = chromedp.Run(ctx, chromedp.Text("#ward-login-status"))
		return
	}
	login, _ = chromedp.Run(ctx, chromedp.Text("#ward-login-status"))
	// Swagger UI gets 60s (a loaded CI machine), so that a failure still leaves
	// time for the screenshot.
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	// Clicks go through the elements' click(), as a user's would,
	// without depending on where Swagger UI scrolled them.
	click := func(sel string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
			if err := chromedp.Do(ctx, chromedp.WaitVisible(sel)); err != nil {
				return chromedp.Void{}, err
			}
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector(`+strconv.Quote(sel)+`).click(), true)`))
			return chromedp.Void{}, err
		}
	}
	for _, step := range []struct {
		what string
		do   chromedp.Action[chromedp.Void]
	}{
		{"open the operation", click(op + " .opblock-summary-control")},
		// The page starts in "try it out" mode (tryItOutEnabled): the
		// Execute button is there.
		{"execute", click(op + " .execute")},
		{"wait for the answer", chromedp.WaitVisible(op + " .live-responses-table tbody .response-col_status")},
	} {
		if err = chromedp.Do(sctx, step.do); err != nil {
			err = fmt.Errorf("%s: %w", step.what, err)
			break
		}
	}
	shot, _ = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return
	}
	status, err = chromedp.Run(ctx, chromedp.Text(op+" .live-responses-table tbody .response-col_status"))
	return
}
