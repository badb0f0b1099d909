package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// measureWrk is measure with wrk (Debian's package of that name) as the
// load generator: the same keep-alive connections, a fraction of the Go
// client's CPU per request, so that on a small machine the server under
// test, not the generator, sets the pace. The method, headers and body go
// through a Lua script written to dir. wrk counts a status outside 2xx
// and 3xx, which is an error here; it does not tell 200 from 201.
func measureWrk(tg target, dur time.Duration, workers int, dir string) (float64, int64, error) {
	var script strings.Builder
	fmt.Fprintf(&script, "wrk.method = %q\n", tg.method)
	if tg.body != nil {
		fmt.Fprintf(&script, "wrk.body = %q\n", tg.body)
	}
	for k, vs := range tg.header {
		for _, v := range vs {
			fmt.Fprintf(&script, "wrk.headers[%q] = %q\n", k, v)
		}
	}
	path := filepath.Join(dir, "wrk.lua")
	if err := os.WriteFile(path, []byte(script.String()), 0o600); err != nil {
		return 0, 0, err
	}
	secs := max(1, int(dur.Round(time.Second)/time.Second))
	out, err := exec.Command("wrk", "-t1", "-c"+strconv.Itoa(workers), "-d"+strconv.Itoa(secs)+"s", "-s", path, tg.url).CombinedOutput()
	if err != nil {
		return 0, 0, fmt.Errorf("wrk: %v: %s", err, out)
	}
	return parseWrk(string(out))
}

var (
	wrkTotal = regexp.MustCompile(`(?m)^\s*(\d+) requests in ([0-9.]+)(us|ms|s|m)`)
	wrkBad   = regexp.MustCompile(`(?m)^\s*(Non-2xx or 3xx responses|Socket errors):.*$`)
)

// parseWrk reads the number of requests and the time they took from wrk's
// summary, and refuses a run with failed responses or socket errors.
func parseWrk(out string) (float64, int64, error) {
	if bad := wrkBad.FindString(out); bad != "" {
		return 0, 0, fmt.Errorf("wrk: %s", strings.TrimSpace(bad))
	}
	m := wrkTotal.FindStringSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("wrk: no summary in %q", out)
	}
	n, err1 := strconv.ParseInt(m[1], 10, 64)
	t, err2 := strconv.ParseFloat(m[2], 64)
	if err1 != nil || err2 != nil || n == 0 {
		return 0, 0, fmt.Errorf("wrk: no requests in %q", out)
	}
	unit := map[string]float64{"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[m[3]]
	return float64(n) / (t * unit), n, nil
}
