/* SiPelayanan status page: the Survei Kepuasan Masyarakat (PermenPANRB 14/2017).
 * Plain ES5 like app.js. For a finished request the page offers a short form: the nine
 * elements (answers 1-4 with the regulation's wording, from config.json "skm"), the profile
 * (umur, jenis kelamin, pendidikan, pekerjaan) and a suggestion. "Kirim" opens WhatsApp to
 * the service's office number with a compact, checkable answer string:
 *   SKM-<code>-<nine answers>-<umur 2 digits><L|P|X><pendidikan 0-6><pekerjaan 0-6>-<check>
 * which the clerk pastes into "Balas status" (sipelayanan.skm.decode_answer). Nothing is sent
 * anywhere else, nothing is stored. Also shows the published IKM summary. */
(function () {
  "use strict";

  var CHECK_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXY"; // sipelayanan.skm.CHECK_ALPHABET

  /* sum((i + 1) * charCode(c_i)) mod 961, two symbols in base 31 (sipelayanan.skm.check_value) */
  function checkValue(payload) {
    var i, total = 0;
    for (i = 0; i < payload.length; i++) { total += (i + 1) * payload.charCodeAt(i); }
    total = total % 961;
    return CHECK_ALPHABET.charAt(Math.floor(total / 31)) + CHECK_ALPHABET.charAt(total % 31);
  }

  function pad2(n) { return n < 10 ? "0" + n : String(n); }

  /* a = {code, nilai: [9 ints], umur: int|null, jk: "L"|"P"|null, pendidikan, pekerjaan} */
  function encode(prefix, a) {
    var answers = a.nilai.join("");
    var profile = (a.umur ? pad2(a.umur) : "00") + (a.jk || "X") + String(a.pendidikan || 0) +
      String(a.pekerjaan || 0);
    var payload = a.code + answers + profile;
    return prefix + "-" + a.code + "-" + answers + "-" + profile + "-" + checkValue(payload);
  }

  function message(prefix, a, saran) {
    var text = "Survei Kepuasan Masyarakat (jawaban tanpa nama):\n" + encode(prefix, a);
    if (saran) { text += "\nSaran: " + saran; }
    return text;
  }

  function waUrl(number, text) {
    return "https://wa.me/" + number + "?text=" + encodeURIComponent(text);
  }

  function el(tag, attrs, textValue) {
    var e = document.createElement(tag), k;
    for (k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, attrs[k]); }
    }
    if (textValue !== undefined && textValue !== null) {
      e.appendChild(document.createTextNode(textValue));
    }
    return e;
  }

  function select(id, label, options) {
    var wrap = el("div", { "class": "skm-isian" }), s, i;
    wrap.appendChild(el("label", { "for": id }, label));
    s = el("select", { id: id, name: id });
    s.appendChild(el("option", { value: "" }, "(tidak diisi)"));
    for (i = 0; i < options.length; i++) {
      s.appendChild(el("option", { value: String(options[i][0]) }, options[i][1]));
    }
    wrap.appendChild(s);
    return wrap;
  }

  var api = {
    checkValue: checkValue,
    encode: encode,
    message: message,
    lastUrl: null,
    /* opens WhatsApp; a test replaces it */
    go: function (url) { window.location.href = url; }
  };

  function collect(cfg, code) {
    var nilai = [], i, j, picked, radios, umurText, umur = null;
    for (i = 0; i < cfg.unsur.length; i++) {
      radios = document.getElementsByName("skm_u" + (i + 1));
      picked = 0;
      for (j = 0; j < radios.length; j++) {
        if (radios[j].checked) { picked = parseInt(radios[j].value, 10); }
      }
      if (!picked) { return { error: "Jawab pertanyaan nomor " + (i + 1) + " (" + cfg.unsur[i].nama + ")." }; }
      nilai.push(picked);
    }
    umurText = document.getElementById("skm_umur").value.replace(/\s+/g, "");
    if (umurText) {
      if (!/^[0-9]{2}$/.test(umurText) || parseInt(umurText, 10) < 10) {
        return { error: "Umur diisi angka tahun 10-99, atau dikosongkan." };
      }
      umur = parseInt(umurText, 10);
    }
    return {
      answer: {
        code: code,
        nilai: nilai,
        umur: umur,
        jk: document.getElementById("skm_jk").value || null,
        pendidikan: parseInt(document.getElementById("skm_pendidikan").value || "0", 10),
        pekerjaan: parseInt(document.getElementById("skm_pekerjaan").value || "0", 10)
      },
      saran: document.getElementById("skm_saran").value.replace(/\s+/g, " ").replace(/^ | $/g, "")
    };
  }

  /* Called by app.js after a request is shown. */
  api.show = function (code, record, config, box) {
    var cfg = config && config.skm, number, form, i, j, u, fs, lab, radio, status, send;
    if (!cfg || record.keadaan !== "selesai" || record.jenis !== "permohonan") { return; }
    number = cfg.wa[record.layanan];
    if (!number) { return; }
    form = el("form", { id: "skm", "class": "skm", autocomplete: "off", novalidate: "novalidate" });
    form.appendChild(el("h2", {}, "Survei Kepuasan Masyarakat"));
    form.appendChild(el("p", { "class": "skm-catatan" }, "Bantu kami memperbaiki pelayanan. " +
      "Survei ini tanpa nama: jawaban dikirim melalui WhatsApp ke nomor layanan bersama kode " +
      "pelacakan, satu jawaban untuk satu kode."));
    for (i = 0; i < cfg.unsur.length; i++) {
      u = cfg.unsur[i];
      fs = el("fieldset", { "class": "skm-unsur" });
      fs.appendChild(el("legend", {}, (i + 1) + ". " + u.tanya));
      for (j = 0; j < 4; j++) {
        lab = el("label", { "class": "skm-pilihan" });
        radio = el("input", { type: "radio", name: "skm_u" + (i + 1), value: String(j + 1),
          id: "skm_u" + (i + 1) + "_" + (j + 1) });
        lab.appendChild(radio);
        lab.appendChild(document.createTextNode(" " + u.pilihan[j]));
        fs.appendChild(lab);
      }
      form.appendChild(fs);
    }
    lab = el("div", { "class": "skm-isian" });
    lab.appendChild(el("label", { "for": "skm_umur" }, "Umur (tahun)"));
    lab.appendChild(el("input", { id: "skm_umur", type: "text", inputmode: "numeric",
      maxlength: "2", "class": "skm-umur" }));
    form.appendChild(lab);
    form.appendChild(select("skm_jk", "Jenis kelamin", [["L", "Laki-laki"], ["P", "Perempuan"]]));
    form.appendChild(select("skm_pendidikan", "Pendidikan", cfg.pendidikan));
    form.appendChild(select("skm_pekerjaan", "Pekerjaan", cfg.pekerjaan));
    lab = el("div", { "class": "skm-isian" });
    lab.appendChild(el("label", { "for": "skm_saran" }, "Saran (tanpa nama atau NIK)"));
    lab.appendChild(el("textarea", { id: "skm_saran", rows: "3", maxlength: "400" }));
    form.appendChild(lab);
    status = el("div", { id: "skm_pesan", "class": "pesan", role: "status" });
    form.appendChild(status);
    send = el("button", { id: "skm_kirim", type: "submit" }, "Kirim");
    form.appendChild(send);
    form.onsubmit = function (ev) {
      var got;
      if (ev && ev.preventDefault) { ev.preventDefault(); }
      got = collect(cfg, code);
      while (status.firstChild) { status.removeChild(status.firstChild); }
      if (got.error) {
        status.className = "pesan galat";
        status.appendChild(document.createTextNode(got.error));
        return false;
      }
      status.className = "pesan";
      api.lastUrl = waUrl(number, message(cfg.awalan, got.answer, got.saran));
      api.go(api.lastUrl);
      return false;
    };
    box.appendChild(form);
  };

  /* The published IKM summary, under the form (index.html #ikm). */
  api.summary = function (config) {
    var r = config && config.skm && config.skm.ringkasan, box = document.getElementById("ikm");
    var p, ul, i, s;
    if (!r || !box) { return; }
    while (box.firstChild) { box.removeChild(box.firstChild); }
    box.appendChild(el("h2", {}, "Indeks Kepuasan Masyarakat " + r.periode));
    if (!r.responden) {
      box.appendChild(el("p", {}, "Belum ada jawaban survei pada periode ini."));
    } else {
      p = el("p", { "class": "ikm-nilai" }, "IKM " + r.ikm + " — mutu " + r.mutu + " (" +
        r.kinerja + ")");
      box.appendChild(p);
      box.appendChild(el("p", {}, r.responden + " responden; sampel minimum " +
        r.sampel_minimum + (r.tercapai ? " (tercapai)." : " (belum tercapai).")));
      ul = el("ul", {});
      for (i = 0; i < r.layanan.length; i++) {
        s = r.layanan[i];
        if (s.responden) {
          ul.appendChild(el("li", {}, s.nama + ": IKM " + s.ikm + ", mutu " + s.mutu + " (" +
            s.responden + " responden)"));
        }
      }
      box.appendChild(ul);
    }
    box.hidden = false;
    box.removeAttribute("hidden");
  };

  window.SiPelayananSkm = api;
}());
