package e2e

import (
	"testing"
	"time"
)

// Logging out everywhere on A ends the user's JWT, token, session and
// refresh family on B within a second; another user's stay.
func TestLogoutEverywhereAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two services")
	}
	dbURL, redisURL := backends(t)
	env := blogEnv(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL="+redisURL, "BLOG_LOGIN_RATE=1000/minute")
	for _, u := range []string{"dave", "erin"} {
		if out, code := run(t, env, "", "createuser", "--username", u, "--password", u+"-pass-1"); code != 0 {
			t.Fatalf("createuser: exit %d: %s", code, out)
		}
	}
	a := startShared(t, env)
	b := startShared(t, append(env[:len(env):len(env)], "BLOG_DATA="+t.TempDir()))

	// creds logs user in on A with every class; the checks run on B.
	type cred struct{ header []string }
	creds := func(user string) (map[string]cred, string) {
		body := map[string]string{"username": user, "password": user + "-pass-1"}
		r := a.client().do("POST", "/auth/jwt/login", body)
		expect(t, "jwt login", r, 200)
		refresh := cookie(r, "refresh_token").Value
		out := map[string]cred{"jwt": {[]string{"Authorization", "Bearer " + r.json(t)["access_token"].(string)}}}
		r = a.client().do("POST", "/auth/token/login", body)
		expect(t, "token login", r, 200)
		out["token"] = cred{[]string{"Authorization", "Token " + r.json(t)["token"].(string)}}
		r = a.client().do("POST", "/auth/session/login", body)
		expect(t, "session login", r, 200)
		out["session"] = cred{[]string{"Cookie", "sessionid=" + cookie(r, "sessionid").Value + "; csrftoken=" + cookie(r, "csrftoken").Value}}
		return out, refresh
	}
	dave, refresh := creds("dave")
	erin, _ := creds("erin")
	for class, c := range dave {
		expect(t, "dave's "+class+" on B before", b.client().do("GET", "/auth/me", nil, c.header...), 200)
	}
	expect(t, "anonymous logout-all", a.client().do("POST", "/auth/sessions/logout-all", nil), 401)
	r := a.client().do("POST", "/auth/sessions/logout-all", nil, dave["token"].header...)
	expect(t, "logout-all on A", r, 200)
	if d := r.detail(t); d != "Successfully logged out." {
		t.Fatalf("detail %q", d)
	}
	at := time.Now()
	// B caches users for at most a second.
	for class, c := range dave {
		for b.client().do("GET", "/auth/me", nil, c.header...).status != 401 {
			if time.Since(at) > 1500*time.Millisecond {
				t.Fatalf("dave's %s still works on B %s after logout-all", class, time.Since(at))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	expect(t, "dave's refresh on B", b.client().do("POST", "/auth/jwt/refresh", map[string]string{"refresh_token": refresh}), 401)
	for class, c := range erin {
		expect(t, "erin's "+class+" on B after dave's logout-all", b.client().do("GET", "/auth/me", nil, c.header...), 200)
	}
	expect(t, "dave logs in again on B", b.client().do("POST", "/auth/token/login", map[string]string{"username": "dave", "password": "dave-pass-1"}), 200)
}

// A user lists their sessions, tokens and refresh families on B (made on
// A, with A's client address and agent), ends each on B, and it stops
// working on A within a second; erin's 404 for dave's ids.
func TestRevokeOneAcrossInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two services")
	}
	dbURL, redisURL := backends(t)
	env := blogEnv(t.TempDir(), "BLOG_DATABASE_URL="+dbURL, "BLOG_REDIS_URL="+redisURL, "BLOG_LOGIN_RATE=1000/minute")
	for _, u := range []string{"fred", "gina"} {
		if out, code := run(t, env, "", "createuser", "--username", u, "--password", u+"-pass-1"); code != 0 {
			t.Fatalf("createuser: exit %d: %s", code, out)
		}
	}
	a := startShared(t, env)
	b := startShared(t, append(env[:len(env):len(env)], "BLOG_DATA="+t.TempDir()))
	body := map[string]string{"username": "fred", "password": "fred-pass-1"}
	r := a.client().do("POST", "/auth/jwt/login", body)
	expect(t, "jwt login", r, 200)
	jwt := []string{"Authorization", "Bearer " + r.json(t)["access_token"].(string)}
	r = a.client().do("POST", "/auth/token/login", body)
	expect(t, "token login", r, 200)
	token := []string{"Authorization", "Token " + r.json(t)["token"].(string)}
	r = a.client().do("POST", "/auth/session/login", body)
	expect(t, "session login", r, 200)
	csrf := cookie(r, "csrftoken").Value
	session := []string{"Cookie", "sessionid=" + cookie(r, "sessionid").Value + "; csrftoken=" + csrf, "X-CSRFToken", csrf}
	r = b.client().do("POST", "/auth/token/login", map[string]string{"username": "gina", "password": "gina-pass-1"})
	expect(t, "gina's login", r, 200)
	gina := []string{"Authorization", "Token " + r.json(t)["token"].(string)}

	expect(t, "anonymous list", b.client().do("GET", "/auth/sessions", nil), 401)
	r = b.client().do("GET", "/auth/sessions", nil, token...)
	expect(t, "list on B", r, 200)
	ids := map[string]string{}
	for kind, key := range map[string]string{"session": "sessions", "token": "tokens", "refresh": "refresh_families"} {
		list, _ := r.json(t)[key].([]any)
		if len(list) != 1 {
			t.Fatalf("%s: %v", key, r.json(t))
		}
		c := list[0].(map[string]any)
		if c["client_address"] != "127.0.0.1" || c["user_agent"] == "" || c["created_at"] == nil {
			t.Errorf("%s: %v", kind, c)
		}
		ids[kind] = c["id"].(string)
	}
	for kind, id := range ids {
		expect(t, "gina ends fred's "+kind, b.client().do("DELETE", "/auth/sessions/"+kind+"/"+id, nil, gina...), 404)
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
			r = b.client().do("POST", "/auth/token/login", body)
			with = []string{"Authorization", "Token " + r.json(t)["token"].(string)}
		}
		expect(t, "fred's "+step.kind+" on A before", a.client().do("GET", "/auth/me", nil, step.dies...), 200)
		expect(t, "end fred's "+step.kind+" on B", b.client().do("DELETE", "/auth/sessions/"+step.kind+"/"+ids[step.kind], nil, with...), 204)
		at := time.Now()
		for a.client().do("GET", "/auth/me", nil, step.dies...).status != 401 {
			if time.Since(at) > time.Second {
				t.Fatalf("fred's %s still works on A %s after it was ended on B", step.kind, time.Since(at))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	expect(t, "gina untouched", a.client().do("GET", "/auth/me", nil, gina...), 200)
}
