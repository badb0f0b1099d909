package rest

import (
	"encoding/json"
	"math"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/wardhq/ward/runtime/drf"
	"github.com/wardhq/ward/runtime/jsonw"
)

// AppendJSON and AppendJSONWithout are written as the generator writes
// them for a model with read: expressions on cost and note.
func (o *order) AppendJSON(b []byte) ([]byte, error) { return o.AppendJSONWithout(b, nil) }

func (o *order) AppendJSONWithout(b []byte, hide []string) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = jsonw.AppendInt(b, o.ID)
	b = append(b, `,"status":`...)
	b = jsonw.AppendString(b, o.Status)
	if !slices.Contains(hide, "cost") {
		b = append(b, `,"cost":`...)
		b = jsonw.AppendInt(b, o.Cost)
	}
	if !slices.Contains(hide, "note") {
		b = append(b, `,"note":`...)
		b = jsonw.AppendString(b, o.Note)
	}
	return append(b, '}'), nil
}

// plain is a model without AppendJSON: encoding/json writes it.
type plain struct {
	ID   int64   `json:"id"`
	Rate float64 `json:"rate"`
}

// TestPagesAppendJSON: a page's AppendJSON writes json.Marshal's bytes,
// with results that have an AppendJSON, hide fields or have neither.
func TestPagesAppendJSON(t *testing.T) {
	next := "http://x/?page=2&q=<a>"
	orders := []*order{{ID: 1, Status: "<new>", Cost: 5, Note: "n\u2028"}, {ID: 2}}
	for _, results := range [][]any{
		nil, {},
		{orders[0], orders[1]},
		HideAll(orders, []string{"cost"}),
		HideAll(orders, nil),
		{&plain{ID: 1, Rate: 1e21}, "text", nil},
	} {
		for _, p := range []jsonw.Appender{
			Page[any]{Count: 7, Next: &next, Results: results},
			Page[any]{Previous: &next, Results: results},
			CursorPage[any]{Next: &next, Results: results},
			CursorPage[any]{Previous: &next, Results: results},
		} {
			want, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.AppendJSON(nil)
			if err != nil || string(got) != string(want) {
				t.Errorf("%#v:\n got %s, %v\nwant %s", p, got, err, want)
			}
		}
	}
	if _, err := (Page[any]{Results: []any{&plain{Rate: math.NaN()}}}).AppendJSON(nil); err == nil {
		t.Error("a result that cannot be encoded: no error")
	}
}

// TestHideWithoutAppenderFailsClosed: an object whose type cannot leave
// fields out is not shown: 500, never a body with the hidden field.
func TestHideWithoutAppenderFailsClosed(t *testing.T) {
	for _, v := range []any{Hide(&plain{ID: 1, Rate: 2}, []string{"rate"}), Page[any]{Results: HideAll([]*plain{{ID: 1}}, []string{"rate"})}} {
		w := httptest.NewRecorder()
		drf.JSON(w, 200, v)
		if w.Code != 500 || strings.Contains(w.Body.String(), "rate") {
			t.Errorf("%#v: %d %s", v, w.Code, w.Body)
		}
		if b, err := json.Marshal(v); err == nil {
			t.Errorf("json.Marshal(%#v) = %s", v, b)
		}
	}
}

// BenchmarkHidePage writes a page of 20 orders with a hidden field, as a list
// handler does.
func BenchmarkHidePage(b *testing.B) {
	rows := make([]*order, 20)
	for i := range rows {
		rows[i] = &order{ID: int64(i + 1), Status: "paid", Cost: 1250, Note: "Order " + strconv.Itoa(i)}
	}
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		w.Body.Reset()
		drf.JSON(w, 200, Page[any]{Count: 20, Results: HideAll(rows, []string{"cost"})})
	}
}
