package kitchensink_test

import (
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// TestReferences: bids name a listing the caller can see (type: ref, to:
// listings); notes name one of the caller's bids. DRF's messages, the
// same 400 for a hidden and a missing object, and on_delete protect, set_null
// and cascade, on SQLite and PostgreSQL.
func TestReferences(t *testing.T) { dialects(t, testReferences) }

func invalidPK(id any) map[string]any {
	return map[string]any{"listing": []any{fmt.Sprintf("Invalid pk \"%v\" - object does not exist.", id)}}
}

func testReferences(t *testing.T, e *env) {
	on := e.mustCreate(t, "/api/listings", "root", map[string]any{"title": "on"})
	off := e.mustCreate(t, "/api/listings", "root", map[string]any{"title": "off", "active": false})
	spare := e.mustCreate(t, "/api/listings", "root", map[string]any{"title": "spare"})

	bid := e.mustCreate(t, "/api/bids", "alice", map[string]any{"listing": on["id"], "backup": spare["id"]})
	if bid["listing"] != on["id"] || bid["backup"] != spare["id"] || bid["owner"] != "alice" {
		t.Fatalf("created: %v", bid)
	}
	// Hidden (inactive, for a non-staff caller) and missing: the same 400.
	for _, id := range []any{off["id"], 987654} {
		r := e.do(t, "POST", "/api/bids", "alice", map[string]any{"listing": id})
		if r.status != 400 || !reflect.DeepEqual(r.json(t), invalidPK(id)) {
			t.Fatalf("listing %v: %d %s", id, r.status, r.body)
		}
	}
	// Staff see the inactive listing, so they may name it.
	e.mustCreate(t, "/api/bids", "root", map[string]any{"listing": off["id"]})

	for _, c := range []struct {
		value any
		want  string
	}{
		{"5", "Incorrect type. Expected pk value, received str."},
		{true, "Incorrect type. Expected pk value, received bool."},
		{1.5, "Incorrect type. Expected pk value, received float."},
		{[]any{1}, "Incorrect type. Expected pk value, received list."},
		{map[string]any{"id": 1}, "Incorrect type. Expected pk value, received dict."},
		{nil, "This field may not be null."},
	} {
		r := e.do(t, "POST", "/api/bids", "alice", map[string]any{"listing": c.value})
		if want := map[string]any{"listing": []any{c.want}}; r.status != 400 || !reflect.DeepEqual(r.json(t), want) {
			t.Errorf("listing %#v: %d %s", c.value, r.status, r.body)
		}
	}
	if r := e.do(t, "POST", "/api/bids", "alice", `{"listing": 1e0}`); r.status != 400 || !reflect.DeepEqual(r.json(t)["listing"], []any{"Incorrect type. Expected pk value, received float."}) {
		t.Errorf("an exponent: %d %s", r.status, r.body)
	}

	bidPath := fmt.Sprint("/api/bids/", bid["id"])
	// An update may not move the bid to a hidden listing...
	if r := e.do(t, "PATCH", bidPath, "alice", map[string]any{"listing": off["id"]}); r.status != 400 || !reflect.DeepEqual(r.json(t), invalidPK(off["id"])) {
		t.Fatalf("patch to a hidden listing: %d %s", r.status, r.body)
	}
	// ...but a reference it keeps is not checked again.
	if r := e.do(t, "PATCH", "/api/listings/"+fmt.Sprint(on["id"]), "root", map[string]any{"active": false}); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := e.do(t, "PUT", bidPath, "alice", map[string]any{"listing": on["id"], "backup": spare["id"]}); r.status != 200 {
		t.Fatalf("put keeping a now hidden listing: %d %s", r.status, r.body)
	}

	// Notes name the caller's own bids: bob cannot see alice's.
	if r := e.do(t, "POST", "/api/bid-notes", "bob", map[string]any{"bid": bid["id"], "text": "x"}); r.status != 400 ||
		!reflect.DeepEqual(r.json(t), map[string]any{"bid": []any{fmt.Sprintf("Invalid pk \"%v\" - object does not exist.", bid["id"])}}) {
		t.Fatalf("bob's note on alice's bid: %d %s", r.status, r.body)
	}
	note := e.mustCreate(t, "/api/bid-notes", "alice", map[string]any{"bid": bid["id"], "text": "mine"})

	// protect: a referenced listing stays, 409.
	onPath := fmt.Sprint("/api/listings/", on["id"])
	if r := e.do(t, "DELETE", onPath, "root", nil); r.status != 409 || !reflect.DeepEqual(r.json(t), map[string]any{"detail": "Cannot delete: other objects refer to it."}) {
		t.Fatalf("delete a referenced listing: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", onPath, "root", nil); r.status != 200 {
		t.Fatalf("the refused delete deleted: %d", r.status)
	}
	// set_null: the backup goes, the bid stays with a null backup.
	if r := e.do(t, "DELETE", fmt.Sprint("/api/listings/", spare["id"]), "root", nil); r.status != 204 {
		t.Fatalf("delete the backup listing: %d %s", r.status, r.body)
	}
	if m := e.do(t, "GET", bidPath, "alice", nil).json(t); m["backup"] != nil || m["listing"] != on["id"] {
		t.Fatalf("after set_null: %v", m)
	}
	// cascade: the notes go with their bid; then the listing is free.
	if r := e.do(t, "DELETE", bidPath, "alice", nil); r.status != 204 {
		t.Fatalf("delete the bid: %d %s", r.status, r.body)
	}
	if r := e.do(t, "GET", fmt.Sprint("/api/bid-notes/", note["id"]), "alice", nil); r.status != 404 {
		t.Fatalf("a note outlived its bid: %d %s", r.status, r.body)
	}
	if r := e.do(t, "DELETE", onPath, "root", nil); r.status != 204 {
		t.Fatalf("delete the listing no bid names: %d %s", r.status, r.body)
	}
}

// TestReferenceRace: a bid naming a listing and the listing's delete, at
// once: either the bid is stored and the delete refused (409), or the
// listing is gone and the bid refused (400). Never both, never a 5xx.
func TestReferenceRace(t *testing.T) { dialects(t, testReferenceRace) }

func testReferenceRace(t *testing.T, e *env) {
	for i := range 8 {
		l := e.mustCreate(t, "/api/listings", "root", map[string]any{"title": fmt.Sprint("l", i)})
		var wg sync.WaitGroup
		var create, del resp
		wg.Add(2)
		go func() {
			defer wg.Done()
			create = e.do(t, "POST", "/api/bids", "alice", map[string]any{"listing": l["id"]})
		}()
		go func() { defer wg.Done(); del = e.do(t, "DELETE", fmt.Sprint("/api/listings/", l["id"]), "root", nil) }()
		wg.Wait()
		ok := (create.status == 201 && del.status == 409) || (create.status == 400 && del.status == 204)
		if !ok {
			t.Fatalf("round %d: create %d %s, delete %d %s", i, create.status, create.body, del.status, del.body)
		}
	}
}
