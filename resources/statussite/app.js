/* SiPelayanan status page. Plain ES5 (old Android browsers) apart from WebCrypto, which
 * derives the record's file name: PBKDF2-SHA256(code, salt, iterations), 16 bytes, hex —
 * the same as sipelayanan.statussite.build.derive_name. No library, no CDN, no tracker.
 * The code comes from the URL fragment (never sent to the server) or the form. */
(function () {
  "use strict";

  var ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXY"; // sipelayanan.identity.TRACKING_ALPHABET
  var CODE_LENGTH = 9;
  var EXAMPLE = "ABCD-EFGH3";
  var BAD = "Kode pelacakan tidak dikenal atau salah ketik";

  function indexOf(symbol) {
    return ALPHABET.indexOf(symbol);
  }

  /* The weighted mod-31 check: sum(i * index(symbol_i), i = 1..9) = 0 (mod 31). */
  function isValid(code) {
    var i, k, sum = 0;
    if (code.length !== CODE_LENGTH) { return false; }
    for (i = 0; i < code.length; i++) {
      k = indexOf(code.charAt(i));
      if (k < 0) { return false; }
      sum += (i + 1) * k;
    }
    return sum % ALPHABET.length === 0;
  }

  /* The check symbol completing an 8-symbol body (9 * 7 = 63 = 1 mod 31, so 1/9 = 7). */
  function checkSymbol(body) {
    var i, partial = 0, n = ALPHABET.length;
    for (i = 0; i < body.length; i++) { partial += (i + 1) * indexOf(body.charAt(i)); }
    return ALPHABET.charAt((((-partial * 7) % n) + n) % n);
  }

  /* Like sipelayanan.identity.normalize_tracking_code: {code} or {error} (Indonesian). */
  function normalize(value) {
    var code = String(value || "").replace(/[\s\-\u2010-\u2015\u2212]+/g, "").toUpperCase();
    var i, ch, unused = [];
    if (!code) { return { error: BAD + ": kode masih kosong." }; }
    if (code.length !== CODE_LENGTH) {
      return { error: BAD + ": kode terdiri dari 9 karakter (contoh " + EXAMPLE +
        "), yang diisi " + code.length + " karakter." };
    }
    for (i = 0; i < code.length; i++) {
      ch = code.charAt(i);
      if (indexOf(ch) < 0 && unused.indexOf("'" + ch + "'") < 0) { unused.push("'" + ch + "'"); }
    }
    if (unused.length) {
      unused.sort();
      return { error: BAD + ": karakter " + unused.join(", ") + " tidak dipakai dalam kode " +
        "pelacakan (kode tidak memakai huruf O, I, Z maupun angka 0 dan 1)." };
    }
    if (!isValid(code)) {
      return { error: BAD + ": periksa kembali setiap karakternya (contoh " + EXAMPLE + ")." };
    }
    return { code: code };
  }

  function shown(code) { return code.slice(0, 4) + "-" + code.slice(4); }

  function hexToBytes(hex) {
    var out = new Uint8Array(hex.length / 2), i;
    for (i = 0; i < out.length; i++) { out[i] = parseInt(hex.substr(i * 2, 2), 16); }
    return out;
  }

  function bytesToHex(buffer) {
    var bytes = new Uint8Array(buffer), out = "", i, h;
    for (i = 0; i < bytes.length; i++) {
      h = bytes[i].toString(16);
      out += h.length < 2 ? "0" + h : h;
    }
    return out;
  }

  function asciiBytes(text) {
    var out = new Uint8Array(text.length), i;
    for (i = 0; i < text.length; i++) { out[i] = text.charCodeAt(i) & 0x7f; }
    return out;
  }

  function subtle() {
    var c = window.crypto || window.msCrypto;
    return c && c.subtle ? c.subtle : null;
  }

  /* PBKDF2-SHA256 -> 16 bytes -> hex; calls back (error, name). */
  function deriveName(code, saltHex, iterations, done) {
    var s = subtle();
    if (!s) { done(new Error("nocrypto")); return; }
    try {
      s.importKey("raw", asciiBytes(code), { name: "PBKDF2" }, false, ["deriveBits"])
        .then(function (key) {
          return s.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt: hexToBytes(saltHex),
            iterations: iterations }, key, 128);
        })
        .then(function (bits) { done(null, bytesToHex(bits)); },
              function (err) { done(err || new Error("crypto")); });
    } catch (err) {
      done(err);
    }
  }

  function getJson(url, done) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url + (url.indexOf("?") < 0 ? "?" : "&") + "_=" + new Date().getTime(), true);
    xhr.onreadystatechange = function () {
      var data;
      if (xhr.readyState !== 4) { return; }
      if (xhr.status === 200) {
        try { data = JSON.parse(xhr.responseText); } catch (e) { done("rusak"); return; }
        done(null, data);
      } else if (xhr.status === 404 || xhr.status === 403 || xhr.status === 410) {
        done("tidak_ada");
      } else {
        done("jaringan");
      }
    };
    xhr.send(null);
  }

  // ------------------------------------------------------------------ page

  var config = null;
  var busy = false;

  function $(id) { return document.getElementById(id); }

  function text(el, value) {
    while (el.firstChild) { el.removeChild(el.firstChild); }
    el.appendChild(document.createTextNode(value));
  }

  function message(kind, value) {
    var el = $("pesan");
    el.className = "pesan" + (kind ? " " + kind : "");
    text(el, value || "");
  }

  function add(parent, tag, value, cls) {
    var el = document.createElement(tag);
    if (cls) { el.className = cls; }
    if (value !== undefined && value !== null) { el.appendChild(document.createTextNode(value)); }
    parent.appendChild(el);
    return el;
  }

  function field(dl, label, value, cls) {
    add(dl, "dt", label);
    return add(dl, "dd", value, cls);
  }

  var STATE = {
    proses: "Sedang diproses",
    menunggu_pemohon: "Menunggu kelengkapan dari pemohon",
    selesai: "Selesai",
    batal: "Dibatalkan"
  };

  function render(code, r) {
    var box = $("hasil"), dl, late, ul, i;
    while (box.firstChild) { box.removeChild(box.firstChild); }
    add(add(box, "h2", "Status " + r.jenis + " "), "span", shown(code), "kode");
    add(box, "span", STATE[r.keadaan] || r.keadaan, "lencana " + r.keadaan);
    dl = add(box, "dl");
    field(dl, "Layanan", r.layanan);
    field(dl, "Diterima", r.diterima);
    if (r.keadaan === "proses") {
      field(dl, "Posisi", r.posisi);
      late = r.perkiraan_utc && new Date().getTime() > Date.parse(r.perkiraan_utc);
      field(dl, "Perkiraan selesai", r.perkiraan + (late ? " — sudah lewat; mohon maaf atas " +
        "keterlambatannya, " + r.jenis + " masih kami proses." : ""), late ? "terlambat" : "");
    } else if (r.keadaan === "menunggu_pemohon") {
      field(dl, "Posisi", "berkas belum lengkap, menunggu kekurangan dikirim melalui " +
        "WhatsApp layanan ini.");
      if ((r.kurang && r.kurang.length) || r.kurang_lain) {
        add(dl, "dt", "Yang perlu dikirim");
        ul = add(add(dl, "dd"), "ul");
        for (i = 0; r.kurang && i < r.kurang.length; i++) { add(ul, "li", r.kurang[i]); }
        if (r.kurang_lain) {
          add(ul, "li", r.kurang_lain + " butir lain, sebagaimana disampaikan petugas melalui " +
            "WhatsApp");
        }
      }
      field(dl, "Perkiraan selesai", "dihitung kembali setelah berkas lengkap diterima.");
    } else if (r.keadaan === "selesai") {
      if (r.jenis === "pengaduan") {
        field(dl, "Selesai", "pengaduan sudah dijawab" + (r.selesai ? " pada " + r.selesai : "") + ".");
      } else {
        field(dl, "Selesai", r.selesai || "");
        if (r.penyerahan === "pos") {
          field(dl, "Dokumen", "dikirim melalui PT POS pada " + r.penyerahan_tanggal +
            "; nomor resi sudah dikirim ke nomor WhatsApp pemohon.");
        } else if (r.penyerahan === "diserahkan") {
          field(dl, "Dokumen", "sudah diserahkan pada " + r.penyerahan_tanggal + ".");
        } else {
          field(dl, "Dokumen", "dapat diambil di kantor dengan menunjukkan tanda terima.");
        }
      }
    } else {
      field(dl, "Status", r.jenis + " dibatalkan" + (r.selesai ? " pada " + r.selesai : "") +
        ". Untuk keterangan, hubungi WhatsApp layanan.");
    }
    box.hidden = false;
    box.removeAttribute("hidden");
    if (window.SiPelayananSkm) { window.SiPelayananSkm.show(code, r, config, box); } // skm.js
  }

  function showConfig() {
    if (!config) { return; }
    text($("kantor"), config.kantor || "");
    text($("privasi"), config.privasi || "");
    text($("diperbarui"), "Data diperbarui " + config.diperbarui + ".");
    if (window.SiPelayananSkm) { window.SiPelayananSkm.summary(config); } // skm.js
  }

  function loadConfig(done) {
    if (config) { done(null); return; }
    getJson("config.json", function (err, data) {
      if (err) { done(err); return; }
      config = data;
      showConfig();
      done(null);
    });
  }

  function finish() {
    busy = false;
    $("cek").disabled = false;
  }

  function check(raw) {
    var n = normalize(raw);
    $("hasil").hidden = true;
    $("hasil").setAttribute("hidden", "");
    if (n.error) { message("galat", n.error); return; } // a typo: no request at all
    if (busy) { return; }
    if (!subtle()) {
      message("galat", "Peramban ini tidak dapat memeriksa kode dengan aman. Buka halaman " +
        "ini lewat alamat https:// dengan peramban yang lebih baru, atau kirim pesan " +
        "WhatsApp: STATUS " + shown(n.code) + ".");
      return;
    }
    busy = true;
    $("cek").disabled = true;
    $("kode").value = shown(n.code);
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + shown(n.code));
    }
    message("tunggu", "Memeriksa kode " + shown(n.code) + "…");
    loadConfig(function (err) {
      if (err) {
        finish();
        message("galat", "Data status tidak dapat dimuat. Periksa sambungan internet lalu " +
          "coba lagi.");
        return;
      }
      deriveName(n.code, config.salt, config.iterations, function (err2, name) {
        if (err2) {
          finish();
          message("galat", "Peramban ini tidak dapat memeriksa kode. Kirim pesan WhatsApp: " +
            "STATUS " + shown(n.code) + ".");
          return;
        }
        getJson("s/" + name + ".json", function (err3, record) {
          finish();
          if (err3 === "tidak_ada") {
            message("galat", "Kode " + shown(n.code) + " tidak ditemukan. Periksa kembali kode " +
              "pada tanda terima. Permohonan yang selesai lebih dari " + config.hari +
              " hari lalu tidak ditampilkan di sini; tanyakan melalui WhatsApp layanan.");
          } else if (err3) {
            message("galat", "Data status tidak dapat dimuat. Periksa sambungan internet lalu " +
              "coba lagi.");
          } else {
            message("", "");
            render(n.code, record);
          }
        });
      });
    });
  }

  function fromHash() {
    var h = window.location.hash ? window.location.hash.slice(1) : "";
    try { h = decodeURIComponent(h); } catch (e) { /* keep it as it is */ }
    return h;
  }

  function start() {
    var form = $("form"), input = $("kode"), h = fromHash();
    form.onsubmit = function (ev) {
      if (ev && ev.preventDefault) { ev.preventDefault(); }
      check(input.value);
      return false;
    };
    window.onhashchange = function () {
      var v = fromHash();
      if (v && normalize(v).code !== normalize(input.value).code) {
        input.value = v;
        check(v);
      }
    };
    if (h) {
      input.value = h;
      check(h);
    } else {
      loadConfig(function () {});
    }
  }

  window.SiPelayanan = {
    normalize: normalize,
    isValid: isValid,
    checkSymbol: checkSymbol,
    deriveName: deriveName
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start, false);
  } else {
    start();
  }
}());
