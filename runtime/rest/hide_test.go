package rest

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// dropMembersSlow is the reference dropMembers is checked against: the
// members decoded one by one with encoding/json.
func dropMembersSlow(b []byte, hide []string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	out.WriteByte('{')
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if slices.Contains(hide, k.(string)) {
			continue
		}
		if out.Len() > 1 {
			out.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		out.Write(kb)
		out.WriteByte(':')
		out.Write(v)
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// hideProbe has members of every shape a generated model's JSON can have,
// and some it cannot (nested objects and arrays), with strings that hold
// the characters the scanner must step over.
type hideProbe struct {
	ID    int64             `json:"id"`
	Name  string            `json:"name"`
	Cost  *string           `json:"cost"`
	Tags  []string          `json:"tags"`
	Meta  map[string]string `json:"meta"`
	Price json.Number       `json:"price"`
	Last  string            `json:"last"`
}

func FuzzDropMembers(f *testing.F) {
	f.Add(int64(1), "plain", "12.50", "a,b", "k", `"}]{[,:\`, "tail", uint8(0b1010))
	f.Add(int64(-7), "", "", "", "", "", "", uint8(0xff))
	f.Add(int64(0), "\x00\u2028<>&\"", "\\\"", "[{", "}", "\\", `{"id":1}`, uint8(0))
	f.Fuzz(func(t *testing.T, id int64, name, cost, tag, mk, mv, last string, mask uint8) {
		p := hideProbe{ID: id, Name: name, Tags: []string{tag, mv}, Meta: map[string]string{mk: mv, mv: tag}, Price: "12.50", Last: last}
		if mask&0x80 != 0 {
			p.Cost = &cost
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Skip()
		}
		var hide []string
		for i, n := range []string{"id", "name", "cost", "tags", "meta", "price", "last"} {
			if mask&(1<<i) != 0 {
				hide = append(hide, n)
			}
		}
		got, err := dropMembers(b, hide)
		if err != nil {
			t.Fatalf("dropMembers(%s): %v", b, err)
		}
		want, err := dropMembersSlow(b, hide)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("hide %v of %s:\n got %s\nwant %s", hide, b, got, want)
		}
	})
}

func TestDropMembersRefusesWhatIsNotAnObject(t *testing.T) {
	for _, b := range []string{``, `[]`, `"x"`, `{1:2}`, `{"a\"b":1}`} {
		if got, err := dropMembers([]byte(b), []string{"a"}); err == nil {
			t.Errorf("dropMembers(%s) = %s, want an error", b, got)
		}
	}
	if got, err := dropMembers([]byte(`{}`), []string{"a"}); err != nil || string(got) != `{}` {
		t.Errorf("dropMembers({}) = %s, %v", got, err)
	}
}

func BenchmarkHide(b *testing.B) {
	cost := "12.50"
	p := &hideProbe{ID: 1, Name: "Product 1", Cost: &cost, Tags: []string{"a"}, Price: "19.99", Last: "x"}
	for _, c := range []struct {
		name string
		f    func([]byte, []string) ([]byte, error)
	}{{"decoder", dropMembersSlow}, {"scan", dropMembers}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				raw, _ := json.Marshal(p)
				if _, err := c.f(raw, []string{"cost"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
