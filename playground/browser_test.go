package playground

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var screenshot = flag.String("screenshot", "", "write the browser test's screenshot to this `file` (default: a temporary directory)")

// chromium returns the path of a Chromium or Chrome binary. Without one
// the browser tests skip, unless CI is set: CI installs Debian's chromium
// (.ci/run), so there a missing browser is a failure.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH; CI must install it (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH (apt-get install chromium): skipping the browser test")
	return ""
}

// browser starts a headless Chromium and returns a context for chromedp
// with the page's console errors collected.
func browser(t *testing.T, timeout time.Duration) (context.Context, func() []string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	// Collect the console's errors and warnings, uncaught exceptions and
	// the browser log's errors (a failed request shows there).
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			switch m.Type {
			case chromedp.ConsoleError, chromedp.ConsoleWarning, chromedp.ConsoleException:
				mu.Lock()
				problems = append(problems, m.String()+" "+m.URL)
				mu.Unlock()
			}
		}
	}()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), problems...)
	}
}

// drawnPixels counts the pixels of the canvases matching selector that
// are neither blank nor white, per canvas.
const drawnPixels = `(sel) => [...document.querySelectorAll(sel)].map((c) => {
  const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) n++;
  return n;
})`

func pixels(ctx context.Context, selector string) ([]int, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[[]int](fmt.Sprintf("(%s)(%q)", drawnPixels, selector)))
}

// text returns the visible text of the element selector finds.
func text(ctx context.Context, selector string) (string, error) {
	return chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
}

// epochShown is the epoch counter's value.
func epochShown(t *testing.T, ctx context.Context) int {
	t.Helper()
	s, err := text(ctx, "#epoch")
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
	if err != nil {
		t.Fatalf("epoch counter %q: %v", s, err)
	}
	return n
}

// testLoss reads the test loss the page shows.
func testLoss(ctx context.Context) (float64, error) {
	s, err := text(ctx, "#losses .big")
	if err != nil {
		return 0, err
	}
	f := strings.Fields(s) // "Test loss 0.123 · accuracy 97.0%"
	if len(f) < 3 {
		return 0, fmt.Errorf("no test loss in %q", s)
	}
	return strconv.ParseFloat(f[2], 64)
}

// The scenario in a real browser: the page on XOR with two hidden
// layers; press play; wait until the test loss is below 0.1; the boundary
// and every neuron are drawn; the console stays clean. Then the keyboard
// pauses and steps, and the URL carries the setup.
func TestBrowserXOR(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	srv := NewServer(ServerOptions{})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	ctx, problems := browser(t, 90*time.Second)

	url := ts.URL + "/?dataset=xor&layers=4,4&optimizer=adam&lr=0.03"
	if err := chromedp.Do(ctx,
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`[data-node="h1-3"]`)),
		chromedp.WaitVisible(chromedp.CSS("#losses .big")),
		chromedp.Click(chromedp.CSS("#play")),
	); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	var loss float64
	for {
		var err error
		if loss, err = testLoss(ctx); err == nil && loss < 0.1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the test loss is %v after a minute (error %v); want below 0.1", loss, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Pause with the keyboard, then step one epoch.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(" "), chromedp.Sleep(500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	n1 := epochShown(t, ctx)
	if err := chromedp.Do(ctx, chromedp.KeyEvent("s"), chromedp.Sleep(500*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	n2 := epochShown(t, ctx)
	play, err := text(ctx, "#play")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(play, "Play") || n2 != n1+1 {
		t.Errorf("after Space and S: button %q, epochs %d then %d; want paused and one more epoch", play, n1, n2)
	}

	boundary, err := pixels(ctx, "#boundary")
	if err != nil {
		t.Fatal(err)
	}
	if len(boundary) != 1 || boundary[0] < 300*300/4 {
		t.Errorf("boundary canvas: %v coloured pixels; want most of its 90000", boundary)
	}
	neurons, err := pixels(ctx, `[data-node^="h"] canvas`)
	if err != nil {
		t.Fatal(err)
	}
	if len(neurons) != 8 {
		t.Errorf("%d neuron canvases; want 8 (two layers of 4)", len(neurons))
	}
	for i, n := range neurons {
		if n < 40*40/4 {
			t.Errorf("neuron %d: %d coloured pixels of 1600; want it drawn", i, n)
		}
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#links line").length`))
	if err != nil {
		t.Fatal(err)
	}
	search, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.search`))
	if err != nil {
		t.Fatal(err)
	}
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`session.id`))
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*4 + 4*4 + 4; links != want {
		t.Errorf("%d links drawn; want %d", links, want)
	}
	// Hovering the middle of a link finds the link, whose title is its weight.
	hover, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
	  const l = document.querySelectorAll("#links line")[5], r = l.getBoundingClientRect();
	  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
	  return hit === l ? l.querySelector("title").textContent : "hit " + (hit && hit.tagName);
	})()`))
	if err != nil || !strings.HasPrefix(hover, "Weight ") {
		t.Errorf("hovering a link: %q, %v; want its weight", hover, err)
	}
	// The URL holds the whole setup, and the server runs that setup.
	for _, kv := range []string{"dataset=xor", "layers=4%2C4", "optimizer=adam", "features=x1%2Cx2", "seed=1"} {
		if !strings.Contains(search, kv) {
			t.Errorf("URL query %q lacks %s", search, kv)
		}
	}
	res, err := http.Get(ts.URL + "/api/sessions/" + id)
	if err != nil {
		t.Fatal(err)
	}
	var st Status
	err = json.NewDecoder(res.Body).Decode(&st)
	res.Body.Close()
	if err != nil || st.Config.Dataset != "xor" || len(st.Config.Layers) != 2 || st.Config.Optimizer != "adam" {
		t.Errorf("the page's session: %+v, %v; want XOR with two layers and Adam", st.Config, err)
	}

	// The test points too, for the picture.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#show-test")), chromedp.Sleep(100*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	path := *screenshot
	if path == "" {
		path = filepath.Join(t.TempDir(), "playground.png")
	}
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("test loss %.3f; screenshot %s", loss, path)
	if p := problems(); len(p) > 0 {
		t.Errorf("the console reported problems:\n%s", strings.Join(p, "\n"))
	}
}

// play=1 in the URL starts training on load.
func TestBrowserAutoplay(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	srv := NewServer(ServerOptions{Session: Options{EpochsPerSecond: 50}})
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { srv.Close(); ts.Close() })
	ctx, problems := browser(t, 60*time.Second)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(ts.URL+"/?dataset=spiral&layers=&features=x1,x2,sin_x1&play=1"),
		chromedp.WaitVisible(chromedp.CSS("#losses .big")),
		chromedp.Sleep(time.Second),
	); err != nil {
		t.Fatal(err)
	}
	n := epochShown(t, ctx)
	play, err := text(ctx, "#play")
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 || !strings.Contains(play, "Pause") {
		t.Errorf("a second after loading with play=1: epoch %d, button %q; want training", n, play)
	}
	nodes, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-node^="h"]').length`))
	if err != nil {
		t.Fatal(err)
	}
	if nodes != 0 {
		t.Errorf("%d hidden neurons drawn for layers= (none)", nodes)
	}
	if p := problems(); len(p) > 0 {
		t.Errorf("the console reported problems:\n%s", strings.Join(p, "\n"))
	}
}
