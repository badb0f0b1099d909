package rest

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/wardhq/ward/runtime/authn"
	"github.com/wardhq/ward/runtime/identity"
	"github.com/wardhq/ward/runtime/perm"
)

func decode(t *testing.T, body string, mode Mode, f func(in *Input)) map[string][]string {
	t.Helper()
	in, msg := ParseInput([]byte(body), mode)
	if msg != "" {
		t.Fatalf("ParseInput(%s): %s", body, msg)
	}
	f(in)
	return in.Errs
}

func TestInputRules(t *testing.T) {
	var s string
	var n int64
	var fl float64
	var b bool
	var tm time.Time
	var ps *string
	cases := []struct {
		name string
		body string
		mode Mode
		run  func(in *Input)
		want string // the field's first message, "" for none
	}{
		{"required absent", `{}`, Create, func(in *Input) { in.String("f", Rules{Required: true}, &s) }, "This field is required."},
		{"required absent on PATCH", `{}`, Partial, func(in *Input) { in.String("f", Rules{Required: true}, &s) }, ""},
		{"blank", `{"f":"  "}`, Create, func(in *Input) { in.String("f", Rules{Required: true}, &s) }, "This field may not be blank."},
		{"blank allowed", `{"f":""}`, Create, func(in *Input) { in.String("f", Rules{AllowBlank: true}, &s) }, ""},
		{"null", `{"f":null}`, Create, func(in *Input) { in.String("f", Rules{}, &s) }, "This field may not be null."},
		{"null allowed", `{"f":null}`, Create, func(in *Input) { in.StringPtr("f", Rules{Nullable: true}, &ps) }, ""},
		{"number as string", `{"f":12}`, Create, func(in *Input) { in.String("f", Rules{}, &s) }, ""},
		{"object as string", `{"f":{}}`, Create, func(in *Input) { in.String("f", Rules{}, &s) }, "Not a valid string."},
		{"max chars", `{"f":"ééé"}`, Create, func(in *Input) { in.String("f", Rules{MaxLength: 2}, &s) }, "Ensure this field has no more than 2 characters."},
		{"max chars ok", `{"f":"éé"}`, Create, func(in *Input) { in.String("f", Rules{MaxLength: 2}, &s) }, ""},
		{"choice", `{"f":"c"}`, Create, func(in *Input) { in.String("f", Rules{Choices: []any{"a", "b"}}, &s) }, `"c" is not a valid choice.`},
		{"int", `{"f":"12"}`, Create, func(in *Input) { in.Int("f", Rules{}, &n) }, ""},
		{"int float", `{"f":3.0}`, Create, func(in *Input) { in.Int("f", Rules{}, &n) }, ""},
		{"int bad", `{"f":"1e400"}`, Create, func(in *Input) { in.Int("f", Rules{}, &n) }, "A valid integer is required."},
		{"int bool", `{"f":true}`, Create, func(in *Input) { in.Int("f", Rules{}, &n) }, "A valid integer is required."},
		{"int max", `{"f":11}`, Create, func(in *Input) { in.Int("f", Rules{Max: F64(10)}, &n) }, "Ensure this value is less than or equal to 10."},
		{"int choice", `{"f":3}`, Create, func(in *Input) { in.Int("f", Rules{Choices: []any{int64(1), int64(2)}}, &n) }, `"3" is not a valid choice.`},
		{"float", `{"f":1.5}`, Create, func(in *Input) { in.Float("f", Rules{Min: F64(1.5)}, &fl) }, ""},
		{"float min", `{"f":1.25}`, Create, func(in *Input) { in.Float("f", Rules{Min: F64(1.5)}, &fl) }, "Ensure this value is greater than or equal to 1.5."},
		{"float NaN", `{"f":"NaN"}`, Create, func(in *Input) { in.Float("f", Rules{}, &fl) }, "A valid number is required."},
		{"bool string", `{"f":"true"}`, Create, func(in *Input) { in.Bool("f", Rules{}, &b) }, ""},
		{"bool bad", `{"f":2}`, Create, func(in *Input) { in.Bool("f", Rules{}, &b) }, "Must be a valid boolean."},
		{"time", `{"f":"2024-01-02T03:04:05.123456789+01:00"}`, Create, func(in *Input) { in.Time("f", Rules{}, &tm) }, ""},
		{"time bad", `{"f":"2024-01-02"}`, Create, func(in *Input) { in.Time("f", Rules{}, &tm) }, DateTimeFormatError},
		// Nothing corrupt is stored: DRF's CharField validators.
		{"NUL", `{"f":"a\u0000b"}`, Create, func(in *Input) { in.String("f", Rules{}, &s) }, "Null characters are not allowed."},
		{"NUL nullable", `{"f":"\u0000"}`, Create, func(in *Input) { in.StringPtr("f", Rules{Nullable: true}, &ps) }, "Null characters are not allowed."},
		{"NUL blank allowed", `{"f":"a\u0000"}`, Create, func(in *Input) { in.String("f", Rules{AllowBlank: true}, &s) }, "Null characters are not allowed."},
		{"NUL too long", `{"f":"abc\u0000"}`, Create, func(in *Input) { in.String("f", Rules{MaxLength: 2}, &s) }, "Ensure this field has no more than 2 characters."},
		{"NUL choice", `{"f":"a\u0000"}`, Create, func(in *Input) { in.String("f", Rules{Choices: []any{"a"}}, &s) }, "\"a\x00\" is not a valid choice."},
		{"lone surrogate", `{"f":"a\ud800"}`, Create, func(in *Input) { in.String("f", Rules{}, &s) }, "Surrogate characters are not allowed: U+D800."},
		{"surrogate pair", `{"f":"\ud83d\ude00"}`, Create, func(in *Input) { in.String("f", Rules{}, &s) }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := decode(t, c.body, c.mode, c.run)
			got := ""
			if len(errs["f"]) > 0 {
				got = errs["f"][0]
			}
			if got != c.want {
				t.Fatalf("got %q, want %q (all: %v)", got, c.want, errs)
			}
		})
	}
	// Every failing validator of a CharField is reported, as DRF.
	if errs := decode(t, `{"f":"abc\u0000"}`, Create, func(in *Input) { in.String("f", Rules{MaxLength: 2}, &s) }); len(errs["f"]) != 2 || errs["f"][1] != "Null characters are not allowed." {
		t.Fatalf("NUL and too long: %v", errs)
	}
	// Surrounding whitespace is trimmed before the length checks, as DRF.
	decode(t, `{"s":"  ab  "}`, Create, func(in *Input) { in.String("s", Rules{MaxLength: 2}, &s) })
	if s != "ab" {
		t.Fatalf("trimmed: %q", s)
	}
	// Values land where they should, normalised.
	decode(t, `{"t":"2024-01-02T03:04:05.123456789+01:00","n":"42","b":"0"}`, Create, func(in *Input) {
		in.Time("t", Rules{}, &tm)
		in.Int("n", Rules{}, &n)
		b = true
		in.Bool("b", Rules{}, &b)
	})
	if tm.Location() != time.UTC || tm.Hour() != 2 || tm.Nanosecond() != 123456000 || n != 42 || b {
		t.Fatalf("values: %v %d %v", tm, n, b)
	}
}

func TestParseInput(t *testing.T) {
	cases := map[string]string{
		``:           "",
		`  {"a":1} `: "",
		`{"a":`:      "invalid JSON",
		`[1]`:        notObject,
		`"x"`:        notObject,
		`{"a":1}{}`:  "invalid JSON",
		// Invalid UTF-8 is a parse error, never decoded as U+FFFD.
		"{\"a\":\"\xff\"}":      "invalid UTF-8",
		"{\"a\":\"\xc3\"}":      "invalid UTF-8",
		"{\"a\xff\":1}":         "invalid UTF-8",
		"{\"a\":\"\xe9t\xe9\"}": "invalid UTF-8", // latin-1 bytes
	}
	for body, want := range cases {
		if _, got := ParseInput([]byte(body), Create); got != want {
			t.Errorf("ParseInput(%q) = %q, want %q", body, got, want)
		}
	}
}

func TestDecodeBody(t *testing.T) {
	cases := []struct {
		ct, body string
		status   int
	}{
		{"application/json", `{"a":1}`, 0},
		{"application/json; charset=utf-8", `{}`, 0},
		{"application/json; charset=UTF8", `{}`, 0},
		{"", `{}`, 0},
		{"text/plain", `{}`, 415},
		// Another charset would be decoded as UTF-8, corrupting it.
		{"application/json; charset=latin-1", "{\"a\":\"\xe9\"}", 415},
		{"application/json; charset=iso-8859-1", `{}`, 415},
		{"application/json", `{`, 400},
		{"application/json", "{\"a\":\"\xe9\"}", 400},
		{"application/json", `{"a":"` + strings.Repeat("x", MaxBody) + `"}`, 413},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
		if c.ct != "" {
			r.Header.Set("Content-Type", c.ct)
		}
		w := httptest.NewRecorder()
		_, ok := DecodeBody(w, r, Create)
		if ok != (c.status == 0) || (c.status != 0 && w.Code != c.status) {
			t.Errorf("%s %.20s: ok=%v status %d, want %d", c.ct, c.body, ok, w.Code, c.status)
		}
		if w.Code == 400 && !strings.HasPrefix(w.Body.String(), `{"detail":"JSON parse error - `) {
			t.Errorf("400 body %s", w.Body)
		}
		if want := `{"detail":"Unsupported media type \"` + c.ct + `\" in request."}`; w.Code == 415 && strings.TrimSpace(w.Body.String()) != want {
			t.Errorf("415 body %s, want %s", w.Body, want)
		}
	}
}

func TestID(t *testing.T) {
	cases := map[string]int64{"1": 1, "42": 42, "9223372036854775807": 1<<63 - 1, "0": 0, "01": 0, "-1": 0, "+1": 0, "1.0": 0, "abc": 0, "": 0, "9223372036854775808": 0, " 1": 0}
	for s, want := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		rc := chi.NewRouteContext()
		rc.URLParams.Add("id", s)
		r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
		got, ok := ID(r)
		if got != want || ok != (want != 0) {
			t.Errorf("ID(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
}

func TestWritePage(t *testing.T) {
	cases := []struct {
		url            string
		tls            bool
		page, count    int
		status         int
		next, previous any
	}{
		{"/x", false, 1, 0, 200, nil, nil},
		{"/x", false, 2, 0, 404, nil, nil},
		{"/x?page=1&q=a", false, 1, 5, 200, "http://h/x?page=2&q=a", nil},
		{"/x?page=2", true, 2, 5, 200, "https://h/x?page=3", "https://h/x"},
		{"/x?page=3", false, 3, 5, 200, nil, "http://h/x?page=2"},
		{"/x?page=4", false, 4, 5, 404, nil, nil},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "http://h"+c.url, nil)
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		WritePage(w, r, c.page, 2, c.count, []int{1})
		if w.Code != c.status {
			t.Errorf("%s: status %d", c.url, w.Code)
			continue
		}
		var m map[string]any
		json.Unmarshal(w.Body.Bytes(), &m)
		if c.status == 404 {
			if m["detail"] != "Invalid page." {
				t.Errorf("%s: %v", c.url, m)
			}
			continue
		}
		if m["next"] != c.next || m["previous"] != c.previous || m["count"] != float64(c.count) {
			t.Errorf("%s: %v", c.url, m)
		}
	}
	for _, q := range []string{"page=0", "page=x", "page=-2", "page=1.5"} {
		w := httptest.NewRecorder()
		if _, ok := PageNumber(w, httptest.NewRequest("GET", "/x?"+q, nil)); ok || w.Code != 404 {
			t.Errorf("%s accepted", q)
		}
	}
}

type stubAuth struct {
	user *identity.User
	err  error
}

func (a stubAuth) Name() string                                       { return "jwt" }
func (a stubAuth) Challenge() string                                  { return `Bearer realm="api"` }
func (a stubAuth) Authenticate(*http.Request) (*identity.User, error) { return a.user, a.err }

type stubThrottle struct {
	ok  bool
	err error
}

func (s stubThrottle) Allow(*http.Request, *identity.User, string) (bool, time.Duration, error) {
	return s.ok, 3 * time.Second, s.err
}

// TestBegin checks the fail-closed paths of authentication and throttling.
func TestBegin(t *testing.T) {
	alice := &identity.User{ID: 1, Username: "alice", IsActive: true}
	cases := []struct {
		name     string
		auth     stubAuth
		throttle Throttler
		user     bool
		status   int
	}{
		{"anonymous", stubAuth{}, nil, false, 0},
		{"user", stubAuth{user: alice}, nil, true, 0},
		{"bad credential", stubAuth{err: &authn.Error{Status: 401, Detail: "Invalid token."}}, nil, false, 401},
		{"backend down", stubAuth{err: errors.Join(identity.ErrUnavailable, errors.New("dial tcp"))}, nil, false, 503},
		{"throttled", stubAuth{user: alice}, stubThrottle{}, true, 429},
		{"throttle down", stubAuth{user: alice}, stubThrottle{err: errors.New("redis")}, true, 503},
		{"throttle missing", stubAuth{user: alice}, Throttler(nil), true, 503},
		{"throttle ok", stubAuth{user: alice}, stubThrottle{ok: true}, true, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			app := &App{Authenticators: map[string]authn.Authenticator{"jwt": c.auth}, Throttle: c.throttle}
			v := &View{App: app, Resource: "posts", Chain: app.Chain("jwt", "token"), User: strings.HasPrefix(c.name, "throttle")}
			w := httptest.NewRecorder()
			r := httptest.NewRequest("GET", "/", nil)
			req, ok := v.Begin(w, r, perm.ActionList)
			if ok != (c.status == 0) || (!ok && w.Code != c.status) {
				t.Fatalf("ok=%v status %d, want %d", ok, w.Code, c.status)
			}
			if strings.Contains(w.Body.String(), "redis") || strings.Contains(w.Body.String(), "dial") {
				t.Fatalf("leak: %s", w.Body)
			}
			if ok && (req.User != nil) != c.user {
				t.Fatalf("user %v", req.User)
			}
			if ok && c.user && identity.UserFrom(r.Context()) != alice {
				t.Fatal("user not in the request context")
			}
		})
	}
}

func TestNotAllowedChecksPermissionFirst(t *testing.T) {
	for _, c := range []struct {
		user   *identity.User
		status int
	}{{nil, 401}, {&identity.User{ID: 1, IsActive: true}, 403}, {&identity.User{ID: 2, IsActive: true, IsStaff: true}, 405}} {
		app := &App{Authenticators: map[string]authn.Authenticator{"jwt": stubAuth{user: c.user}}}
		v := &View{App: app, Chain: app.Chain("jwt")}
		w := httptest.NewRecorder()
		NotAllowed[struct{}](v, w, httptest.NewRequest("POST", "/", nil), perm.IsAdminUser[struct{}]{}, []string{"GET", "HEAD", "OPTIONS"})
		if w.Code != c.status || (c.status == 405 && w.Header().Get("Allow") != "GET, HEAD, OPTIONS") {
			t.Errorf("user %v: %d %v", c.user, w.Code, w.Header())
		}
	}
}

func FuzzParseInput(f *testing.F) {
	for _, s := range []string{`{"s":"a","n":1,"f":1.5,"b":true,"t":"2024-01-01T00:00:00Z"}`, `{"s":null}`, `[]`, `{`, `{"n":"1e3"}`, `{"s":"` + strings.Repeat("é", 10) + `"}`,
		`{"s":"a\u0000"}`, `{"s":"\ud800"}`, `{"s":"\ud83d\ude00"}`, "{\"s\":\"\xff\"}", "{\"s\":\"\xed\xa0\x80\"}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, mode := range []Mode{Create, Replace, Partial} {
			in, msg := ParseInput(body, mode)
			if (in == nil) == (msg == "") {
				t.Fatalf("ParseInput(%q): in=%v msg=%q", body, in, msg)
			}
			if in == nil {
				if msg != "invalid JSON" && msg != "invalid UTF-8" && msg != notObject {
					t.Fatalf("message %q", msg)
				}
				if !utf8.Valid(body) && msg != "invalid UTF-8" {
					t.Fatalf("ParseInput(%q): invalid UTF-8 answered %q", body, msg)
				}
				continue
			}
			if !utf8.Valid(body) {
				t.Fatalf("ParseInput(%q) accepted invalid UTF-8", body)
			}
			var s string
			var n int64
			var fl float64
			var b bool
			var tm time.Time
			r := Rules{Required: true, MinLength: 1, MaxLength: 5, Min: F64(0), Max: F64(100)}
			in.String("s", r, &s)
			in.Int("n", r, &n)
			in.Float("f", r, &fl)
			in.Bool("b", r, &b)
			in.Time("t", r, &tm)
			for field, msgs := range in.Errs {
				for _, m := range msgs {
					if strings.Contains(m, "\n") || len(m) > 200 {
						t.Fatalf("%s: odd message %q", field, m)
					}
				}
			}
			if in.Errs["s"] == nil && mode != Partial && (len([]rune(s)) < 1 || len([]rune(s)) > 5) {
				t.Fatalf("accepted string %q", s)
			}
			// Nothing corrupt is accepted: no NUL, and no U+FFFD the
			// body did not hold (a lone surrogate escape decodes to one).
			if in.Errs["s"] == nil && (strings.ContainsRune(s, 0) || strings.Count(s, "\uFFFD") > strings.Count(string(body), "\uFFFD")+strings.Count(strings.ToLower(string(body)), `\ufffd`)) {
				t.Fatalf("accepted corrupt string %q from %q", s, body)
			}
			if in.Errs["n"] == nil && mode != Partial && (n < 0 || n > 100) {
				t.Fatalf("accepted int %d", n)
			}
		}
	})
}

func FuzzID(f *testing.F) {
	for _, s := range []string{"1", "0", "01", "-1", "9223372036854775808", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := httptest.NewRequest("GET", "/", nil)
		rc := chi.NewRouteContext()
		rc.URLParams.Add("id", s)
		r = r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rc))
		id, ok := ID(r)
		if ok != (id > 0 && strconv.FormatInt(id, 10) == s) {
			t.Fatalf("ID(%q) = %d, %v", s, id, ok)
		}
	})
}

func FuzzPageNumber(f *testing.F) {
	for _, s := range []string{"page=1", "page=0", "page=x", "page=1&page=2", "page=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.URL.RawQuery = q
		w := httptest.NewRecorder()
		n, ok := PageNumber(w, r)
		if ok && n < 1 || !ok && w.Code != 404 {
			t.Fatalf("%q: %d %v %d", q, n, ok, w.Code)
		}
	})
}
