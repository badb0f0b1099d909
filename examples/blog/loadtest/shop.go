package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// startBlogList serves the blog with alice's 20 posts and returns the
// target of her first list page.
func startBlogList(blog blogCmd, tmp string, env []string) ([]target, func(), error) {
	create := exec.Command(blog.path, blog.with("createuser", "--username", "alice", "--password", "alice-pass-1")...)
	create.Env = env
	if out, err := create.CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("createuser: %v: %s", err, out)
	}
	addr := freeAddr()
	p, err := startProc(blog.path, blog.with("serve", "--addr", addr), env, false, addr, filepath.Join(tmp, "list.log"))
	if err != nil {
		return nil, nil, err
	}
	access, _, err := prepareBlog(p.base)
	for i := 1; i < 20 && err == nil; i++ {
		_, err = call(p.base, "POST", "/api/posts", access, `{"title":"Hello","body":"World"}`, 201)
	}
	if err != nil {
		p.stop()
		return nil, nil, err
	}
	return []target{
		{"ward GET /api/posts", "GET", p.base + "/api/posts", http.Header{"Authorization": {"Bearer " + access}}, nil, 200, p.pid()},
	}, p.stop, nil
}

// startShop serves the shop with a category and 20 products of ample
// stock, and returns the targets of a customer's first product page and of
// her orders (one unit each: the stock check, the total, the stock update
// and the insert in one transaction).
func startShop(bin, tmp string) ([]target, func(), error) {
	env := append(os.Environ(), "SHOP_DATA="+filepath.Join(tmp, "shop"), "SHOP_JWT_KEY="+key, "SHOP_LOGIN_RATE=1000/minute")
	for _, args := range [][]string{
		{"createuser", "--username", "root", "--password", "root-pass-1", "--staff"},
		{"createuser", "--username", "alice", "--password", "alice-pass-1"},
	} {
		c := exec.Command(bin, args...)
		c.Env = env
		if out, err := c.CombinedOutput(); err != nil {
			return nil, nil, fmt.Errorf("shop %s: %v: %s", args[0], err, out)
		}
	}
	addr := freeAddr()
	p, err := startProc(bin, []string{"serve", "--addr", addr}, env, false, addr, filepath.Join(tmp, "shop.log"))
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) ([]target, func(), error) { p.stop(); return nil, nil, err }
	root, err := login(p.base, "root", "root-pass-1")
	if err != nil {
		return fail(err)
	}
	alice, err := login(p.base, "alice", "alice-pass-1")
	if err != nil {
		return fail(err)
	}
	cat, err := call(p.base, "POST", "/api/categories", root, `{"name":"load"}`, 201)
	if err != nil {
		return fail(err)
	}
	var product int64
	for i := 0; i < 20; i++ {
		body := fmt.Sprintf(`{"name":"Product %d","sku":"LOAD-%d","category":%d,"price":"19.99","stock":1000000000}`, i, i, cat)
		if product, err = call(p.base, "POST", "/api/products", root, body, 201); err != nil {
			return fail(err)
		}
	}
	bearer := http.Header{"Authorization": {"Bearer " + alice}}
	jsonBearer := http.Header{"Authorization": {"Bearer " + alice}, "Content-Type": {"application/json"}}
	return []target{
		{"shop GET /api/products", "GET", p.base + "/api/products", bearer, nil, 200, p.pid()},
		{"shop POST /api/orders", "POST", p.base + "/api/orders", jsonBearer, []byte(fmt.Sprintf(`{"product":%d,"quantity":1}`, product)), 201, p.pid()},
	}, p.stop, nil
}

// login returns the access token of a JWT login.
func login(base, user, pass string) (string, error) {
	body, _ := json.Marshal(map[string]string{"username": user, "password": pass})
	resp, err := http.Post(base+"/auth/jwt/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var out struct {
		Access string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Access == "" {
		return "", fmt.Errorf("login %s: %d %v", user, resp.StatusCode, err)
	}
	return out.Access, nil
}

// call sends a JSON request and returns the id of the object answered.
func call(base, method, path, access, body string, want int) (int64, error) {
	req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var out struct {
		ID int64 `json:"id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != want {
		return 0, fmt.Errorf("%s %s: %d, want %d", method, path, resp.StatusCode, want)
	}
	return out.ID, err
}
