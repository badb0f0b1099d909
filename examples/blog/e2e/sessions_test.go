package e2e

import (
	"testing"
	"time"

	"github.com/wardhq/ward/examples/internal/e2ekit"
)

// Logging out everywhere on A ends the user's JWT, token, session and
// refresh family on B within a second; another user's stay.
func TestLogoutEverywhereAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two services")
	}
	dbURL, redisURL := backends(t)
	env := svc.Env(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL="+redisURL, "BLOG_LOGIN_RATE=1000/minute")
	for _, u := range []string{"dave", "erin"} {
		if out, code := svc.Run(t, env, "", "createuser", "--username", u, "--password", u+"-pass-1"); code != 0 {
			t.Fatalf("createuser: exit %d: %s", code, out)
		}
	}
	a := startShared(t, env)
	b := startShared(t, append(env[:len(env):len(env)], "BLOG_DATA="+t.TempDir()))

	// creds logs user in on A with every class; the checks run on B.
	type cred struct{ header []string }
	creds := func(user string) (map[string]cred, string) {
		body := map[string]string{"username": user, "password": user + "-pass-1"}
		r := a.Client().Do("POST", "/auth/jwt/login", body)
		e2ekit.Expect(t, "jwt login", r, 200)
		refresh := e2ekit.Cookie(r, "refresh_token").Value
		out := map[string]cred{"jwt": {[]string{"Authorization", "Bearer " + r.JSON(t)["access_token"].(string)}}}
		r = a.Client().Do("POST", "/auth/token/login", body)
		e2ekit.Expect(t, "token login", r, 200)
		out["token"] = cred{[]string{"Authorization", "Token " + r.JSON(t)["token"].(string)}}
		r = a.Client().Do("POST", "/auth/session/login", body)
		e2ekit.Expect(t, "session login", r, 200)
		out["session"] = cred{[]string{"Cookie", "sessionid=" + e2ekit.Cookie(r, "sessionid").Value + "; csrftoken=" + e2ekit.Cookie(r, "csrftoken").Value}}
		return out, refresh
	}
	dave, refresh := creds("dave")
	erin, _ := creds("erin")
	for class, c := range dave {
		e2ekit.Expect(t, "dave's "+class+" on B before", b.Client().Do("GET", "/auth/me", nil, c.header...), 200)
	}
	e2ekit.Expect(t, "anonymous logout-all", a.Client().Do("POST", "/auth/sessions/logout-all", nil), 401)
	r := a.Client().Do("POST", "/auth/sessions/logout-all", nil, dave["token"].header...)
	e2ekit.Expect(t, "logout-all on A", r, 200)
	if d := r.Detail(t); d != "Successfully logged out." {
		t.Fatalf("detail %q", d)
	}
	at := time.Now()
	// B caches users for at most a second.
	for class, c := range dave {
		for b.Client().Do("GET", "/auth/me", nil, c.header...).Status != 401 {
			if time.Since(at) > 1500*time.Millisecond {
				t.Fatalf("dave's %s still works on B %s after logout-all", class, time.Since(at))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	e2ekit.Expect(t, "dave's refresh on B", b.Client().Do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": refresh}), 401)
	for class, c := range erin {
		e2ekit.Expect(t, "erin's "+class+" on B after dave's logout-all", b.Client().Do("GET", "/auth/me", nil, c.header...), 200)
	}
	e2ekit.Expect(t, "dave logs in again on B", b.Client().Do("POST", "/auth/token/login", map[string]string{"username": "dave", "password": "dave-pass-1"}), 200)
}

// A user lists their sessions, tokens and refresh families on B (made on
// A, with A's client address and agent), ends each on B, and it stops
// working on A within a second; erin's 404 for dave's ids.
func TestRevokeOneAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two services")
	}
	dbURL, redisURL := backends(t)
	env := svc.Env(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL="+redisURL, "BLOG_LOGIN_RATE=1000/minute")
	for _, u := range []string{"fred", "gina"} {
		if out, code := svc.Run(t, env, "", "createuser", "--username", u, "--password", u+"-pass-1"); code != 0 {
			t.Fatalf("createuser: exit %d: %s", code, out)
		}
	}
	a := startShared(t, env)
	b := startShared(t, append(env[:len(env):len(env)], "BLOG_DATA="+t.TempDir()))
	body := map[string]string{"username": "fred", "password": "fred-pass-1"}
	r := a.Client().Do("POST", "/auth/jwt/login", body)
	e2ekit.Expect(t, "jwt login", r, 200)
	jwt := []string{"Authorization", "Bearer " + r.JSON(t)["access_token"].(string)}
	r = a.Client().Do("POST", "/auth/token/login", body)
	e2ekit.Expect(t, "token login", r, 200)
	token := []string{"Authorization", "Token " + r.JSON(t)["token"].(string)}
	r = a.Client().Do("POST", "/auth/session/login", body)
	e2ekit.Expect(t, "session login", r, 200)
	csrf := e2ekit.Cookie(r, "csrftoken").Value
	session := []string{"Cookie", "sessionid=" + e2ekit.Cookie(r, "sessionid").Value + "; csrftoken=" + csrf, "X-CSRFToken", csrf}
	r = b.Client().Do("POST", "/auth/token/login", map[string]string{"username": "gina", "password": "gina-pass-1"})
	e2ekit.Expect(t, "gina's login", r, 200)
	gina := []string{"Authorization", "Token " + r.JSON(t)["token"].(string)}

	e2ekit.Expect(t, "anonymous list", b.Client().Do("GET", "/auth/sessions", nil), 401)
	r = b.Client().Do("GET", "/auth/sessions", nil, token...)
	e2ekit.Expect(t, "list on B", r, 200)
	ids := map[string]string{}
	for kind, key := range map[string]string{"session": "sessions", "token": "tokens", "refresh": "refresh_families"} {
		list, _ := r.JSON(t)[key].([]any)
		if len(list) != 1 {
			t.Fatalf("%s: %v", key, r.JSON(t))
		}
		c := list[0].(map[string]any)
		if c["client_address"] != "127.0.0.1" || c["user_agent"] == "" || c["created_at"] == nil {
			t.Errorf("%s: %v", kind, c)
		}
		ids[kind] = c["id"].(string)
	}
	for kind, id := range ids {
		e2ekit.Expect(t, "gina ends fred's "+kind, b.Client().Do("DELETE", "/auth/sessions/"+kind+"/"+id, nil, gina...), 404)
	}
	// Each is ended on B with another of fred's credentials, and dies on A.
	for _, step := range []struct {
		kind       string
		with, dies []string
	}{
		{"token", jwt, token},
		{"session", jwt, session},
		{"refresh", token[:0], jwt},
	} {
		with := step.with
		if len(with) == 0 {
			r = b.Client().Do("POST", "/auth/token/login", body)
			with = []string{"Authorization", "Token " + r.JSON(t)["token"].(string)}
		}
		e2ekit.Expect(t, "fred's "+step.kind+" on A before", a.Client().Do("GET", "/auth/me", nil, step.dies...), 200)
		e2ekit.Expect(t, "end fred's "+step.kind+" on B", b.Client().Do("DELETE", "/auth/sessions/"+step.kind+"/"+ids[step.kind], nil, with...), 204)
		at := time.Now()
		for a.Client().Do("GET", "/auth/me", nil, step.dies...).Status != 401 {
			if time.Since(at) > time.Second {
				t.Fatalf("fred's %s still works on A %s after it was ended on B", step.kind, time.Since(at))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	e2ekit.Expect(t, "gina untouched", a.Client().Do("GET", "/auth/me", nil, gina...), 200)
}
