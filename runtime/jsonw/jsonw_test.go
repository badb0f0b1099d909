package jsonw

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
)

// same fails unless got and its error are json.Marshal(v)'s: the same
// bytes, or an error from both.
func same(t *testing.T, v any, got []byte, err error) {
	t.Helper()
	want, werr := json.Marshal(v)
	if (err != nil) != (werr != nil) {
		t.Fatalf("%#v: error %v, json.Marshal's %v", v, err, werr)
	}
	if err == nil && !bytes.Equal(got, want) {
		t.Fatalf("%#v: %s, json.Marshal writes %s", v, got, want)
	}
}

var strings_ = []string{
	"", "plain", `"quoted" \back\`, "<script>&amp;</script>", "\x00\x01\x1f\x7f", "\b\f\n\r\t",
	"é ü ß 日本 🎉", "\u2028\u2029", "\xff", "a\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\ufffd",
}

func TestAppendString(t *testing.T) {
	for _, s := range strings_ {
		same(t, s, AppendString([]byte("x"), s)[1:], nil)
	}
	same(t, (*string)(nil), AppendStringPtr(nil, nil), nil)
	s := "<p>"
	same(t, &s, AppendStringPtr(nil, &s), nil)
}

func FuzzAppendString(f *testing.F) {
	for _, s := range strings_ {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		same(t, s, AppendString(nil, s), nil)
	})
}

var floats = []float64{
	0, math.Copysign(0, -1), 1, -1, 0.1, 1.5, 1e-6, 9.999999e-7, 1e-7, 1e20, 1e21, 123456789e13, -1e21,
	1e-300, 5e-324, math.MaxFloat64, math.SmallestNonzeroFloat64, 1.0 / 3, 100, 1234567.125,
	math.NaN(), math.Inf(1), math.Inf(-1),
}

func TestAppendFloat(t *testing.T) {
	for _, f := range floats {
		b, err := AppendFloat(nil, f)
		same(t, f, b, err)
	}
	b, err := AppendFloatPtr(nil, nil)
	same(t, (*float64)(nil), b, err)
}

func FuzzAppendFloat(f *testing.F) {
	for _, v := range floats {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		b, err := AppendFloat(nil, v)
		same(t, v, b, err)
	})
}

var times = []time.Time{
	{},
	time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC),
	time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.UTC),
	time.Date(2024, 2, 29, 23, 59, 59, 120000000, time.UTC),
	time.Date(1, 1, 1, 0, 0, 0, 1, time.FixedZone("", -(5*3600+30*60))),
	time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
	time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)),
	time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("", 23*3600+59*60+59)),
}

func TestAppendTime(t *testing.T) {
	for _, v := range times {
		b, err := AppendTime(nil, v)
		same(t, v, b, err)
	}
	b, err := AppendTimePtr(nil, nil)
	same(t, (*time.Time)(nil), b, err)
}

func FuzzAppendTime(f *testing.F) {
	for _, v := range times {
		_, offset := v.Zone()
		f.Add(v.Unix(), int64(v.Nanosecond()), offset)
	}
	f.Fuzz(func(t *testing.T, sec, nsec int64, offset int) {
		v := time.Unix(sec, nsec).In(time.FixedZone("", offset))
		if offset == 0 {
			v = v.UTC()
		}
		b, err := AppendTime(nil, v)
		same(t, v, b, err)
	})
}

func TestAppendIntBool(t *testing.T) {
	for _, i := range []int64{0, -1, 42, math.MaxInt64, math.MinInt64} {
		same(t, i, AppendInt(nil, i), nil)
		same(t, &i, AppendIntPtr(nil, &i), nil)
	}
	same(t, (*int64)(nil), AppendIntPtr(nil, nil), nil)
	for _, v := range []bool{false, true} {
		same(t, v, AppendBool(nil, v), nil)
		same(t, &v, AppendBoolPtr(nil, &v), nil)
	}
	same(t, (*bool)(nil), AppendBoolPtr(nil, nil), nil)
}

func TestAppendDecimal(t *testing.T) {
	for _, s := range []string{"0", "0.00", "-0.00", "12.50", "-999999.99", "1E+3", "1.5E-9", "NaN", "Infinity", "-Infinity", "sNaN"} {
		d, _, err := apd.NewFromString(s)
		if err != nil {
			t.Fatal(err)
		}
		// A model holds a decimal as a field: json.Marshal reaches its
		// MarshalText through the field's address.
		v := struct{ D apd.Decimal }{*d}
		want, _ := json.Marshal(&v)
		got := AppendDecimal([]byte(`{"D":`), &v.D)
		if string(got)+"}" != string(want) {
			t.Errorf("%s: %s}, json.Marshal writes %s", s, got, want)
		}
	}
	same(t, (*apd.Decimal)(nil), AppendDecimal(nil, nil), nil)
}

type appender struct{}

func (appender) AppendJSON(b []byte) ([]byte, error) { return append(b, `"mine"`...), nil }

func TestAppend(t *testing.T) {
	b, err := Append([]byte("x"), appender{})
	if string(b) != `x"mine"` || err != nil {
		t.Errorf("an Appender: %s, %v", b, err)
	}
	b, err = Append([]byte("x"), map[string]int{"a": 1})
	if string(b) != `x{"a":1}` || err != nil {
		t.Errorf("another value: %s, %v", b, err)
	}
	if _, err = Append(nil, math.NaN()); err == nil {
		t.Error("NaN: no error")
	}
	b, err = AppendArray(nil, []any{appender{}, 1, "<"})
	if string(b) != `["mine",1,"\u003c"]` || err != nil {
		t.Errorf("an array: %s, %v", b, err)
	}
	b, err = AppendArray[any](nil, nil)
	if string(b) != "null" || err != nil {
		t.Errorf("a nil array: %s, %v", b, err)
	}
	if _, err = AppendArray(nil, []any{1, math.Inf(1)}); err == nil {
		t.Error("an array holding +Inf: no error")
	}
}
