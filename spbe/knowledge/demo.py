"""Twenty help articles per demo Pemda (issue 15), on the demo services:
most published and public, a few internal, one waiting for review, one
known error published from a demo problem (O-3), with half a year of
readers' feedback and reports the articles made unnecessary (deflections,
counted in the evaluation). Idempotent: does nothing if the Pemda already
has articles. Called after the desk demo (it needs the complaints)."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from spbe.catalog.models import Service
from spbe.desk import problems
from spbe.desk.choices import ProblemStatus, TicketKind
from spbe.desk.models import Ticket
from spbe.knowledge import actions
from spbe.knowledge.choices import ArticleStatus, FeedbackSource, Visibility
from spbe.knowledge.models import Article, Category, Feedback
from spbe.org.choices import Role
from spbe.org.models import PerangkatDaerah, User

PUB, INT = Visibility.PUBLIC, Visibility.INTERNAL
ADMINDUK = ("DUKCAPIL-02", "DUKCAPIL-01")  # Yogya's birth certificates online; Tegal's one Adminduk service
KTP = ("DUKCAPIL-01",)
IZIN = ("DPMPTSP-01",)
PRESENSI = ("BKPSDM-01",)
SUPERAPP = ("KOMINFO-01",)
PUSKESMAS = ("DINKES-01",)
ANGGARAN = ("BPKAD-01", "BKD-01")
SUREL = ("KOMINFO-02",)
GENERAL = ()

# (service codes tried in order, or () for a general article; category; title; summary; body; keywords; visibility)
ARTICLES = [
    (ADMINDUK, "Akun dan kata sandi", "Lupa kata sandi akun layanan kependudukan daring",
     "Atur ulang kata sandi sendiri lewat menu Lupa Kata Sandi; tautan dikirim ke e-mail terdaftar.",
     "Bila Anda lupa kata sandi, buka halaman masuk lalu pilih \"Lupa kata sandi\".\n\n"
     "Masukkan NIK dan alamat e-mail yang Anda daftarkan. Tautan untuk membuat kata sandi baru dikirim ke e-mail "
     "tersebut dan berlaku 30 menit. Periksa juga folder Spam.\n\n"
     "Buat kata sandi baru minimal 8 karakter dengan huruf dan angka, lalu masuk kembali.\n\n"
     "Bila e-mail terdaftar sudah tidak aktif, datang ke loket dengan membawa KTP-el untuk mengganti e-mail akun.",
     "lupa password, reset kata sandi, tidak bisa login, lupa sandi", PUB),
    (ADMINDUK, "Permohonan dokumen", "Cara mengajukan akta kelahiran secara daring",
     "Siapkan surat keterangan lahir, KK, dan KTP-el orang tua; unggah dalam format PDF atau JPG.",
     "Masuk ke aplikasi, pilih menu Kependudukan lalu Akta Kelahiran.\n\n"
     "Isi data bayi sesuai surat keterangan lahir dari bidan atau rumah sakit. Unggah: surat keterangan lahir, "
     "KK, KTP-el kedua orang tua, dan buku nikah atau akta perkawinan.\n\n"
     "Setelah dikirim, permohonan diverifikasi petugas paling lama 3 hari kerja. Akta elektronik dapat dicetak "
     "sendiri dengan kertas HVS A4 80 gram.",
     "akta lahir, kelahiran bayi, syarat akta, cetak akta", PUB),
    (ADMINDUK, "Status permohonan", "Status permohonan tidak berubah",
     "Permohonan diproses berurutan pada hari kerja; status baru berubah setelah diverifikasi petugas.",
     "Status \"Diajukan\" berarti berkas Anda sudah masuk antrean verifikasi. Petugas memeriksa permohonan pada "
     "hari dan jam kerja, berurutan menurut waktu pengajuan.\n\n"
     "Bila lebih dari 3 hari kerja status belum berubah, periksa apakah ada pesan perbaikan berkas di menu "
     "Notifikasi.\n\nBila tidak ada, laporkan melalui portal dengan menyebut nomor permohonan.",
     "status tidak berubah, permohonan lama, belum diproses, menunggu verifikasi", PUB),
    (ADMINDUK, "Unggah berkas", "Unggah berkas gagal atau terlalu besar",
     "Ukuran berkas maksimal 2 MB per dokumen; kecilkan foto atau pindai ulang dengan resolusi 150 dpi.",
     "Aplikasi menerima PDF, JPG dan PNG sampai 2 MB per berkas.\n\n"
     "Foto dari ponsel biasanya lebih besar dari itu. Gunakan fitur \"kompres\" di aplikasi pemindai, atau "
     "pindai ulang dengan resolusi 150 dpi hitam-putih.\n\nPastikan nama berkas tidak memuat tanda baca khusus.",
     "upload gagal, berkas terlalu besar, ukuran file, unggah dokumen", PUB),
    (KTP, "Permohonan dokumen", "Jadwal perekaman dan pengambilan KTP-el",
     "Perekaman KTP-el dilayani pada hari kerja pukul 08.00–14.00 dengan nomor antrean daring.",
     "Ambil nomor antrean daring sehari sebelumnya. Datang 15 menit sebelum jadwal dengan membawa KK asli.\n\n"
     "KTP-el dapat diambil setelah ada pemberitahuan siap cetak. Pengambilan tidak dapat diwakilkan kecuali "
     "dengan surat kuasa bermeterai.",
     "rekam ktp, ambil ktp, jadwal ktp, antrean ktp", PUB),
    (KTP, "Kendala petugas", "Alat perekaman sidik jari tidak terbaca (petugas)",
     "Bersihkan pemindai, lakukan kalibrasi ulang, dan periksa versi driver sebelum menghubungi Diskominfo.",
     "Langkah bagi petugas loket:\n\n1. Bersihkan kaca pemindai dengan kain mikrofiber.\n"
     "2. Jalankan kalibrasi dari menu Perangkat.\n3. Cabut dan pasang kembali kabel USB, lalu mulai ulang aplikasi.\n\n"
     "Bila masih gagal, catat nomor seri alat dan laporkan sebagai aduan dengan kategori perangkat.",
     "sidik jari, fingerprint, pemindai, perekaman gagal", INT),
    (IZIN, "Status permohonan", "Cara melacak status izin usaha",
     "Gunakan nomor registrasi pada menu Lacak Permohonan; notifikasi juga dikirim lewat e-mail.",
     "Buka menu Perizinan lalu Lacak Permohonan. Masukkan nomor registrasi yang tertera di bukti pendaftaran.\n\n"
     "Tahapan: verifikasi berkas, peninjauan lapangan (bila perlu), penerbitan. Setiap perubahan dikirim ke "
     "e-mail pemohon.",
     "lacak izin, status izin, nomor registrasi, izin usaha", PUB),
    (IZIN, "Permohonan dokumen", "Syarat izin usaha mikro dan kecil",
     "Usaha mikro cukup NIB dari OSS; izin daerah hanya untuk kegiatan berisiko menengah ke atas.",
     "Untuk usaha berisiko rendah, Nomor Induk Berusaha (NIB) dari OSS sudah berlaku sebagai izin.\n\n"
     "Izin daerah diperlukan untuk kegiatan berisiko menengah tinggi dan tinggi, misalnya persetujuan bangunan "
     "gedung. Siapkan KTP, NPWP, dan denah lokasi usaha.",
     "izin umkm, nib, oss, syarat izin", PUB),
    (IZIN, "Akun dan kata sandi", "Akun OSS tidak tersambung ke layanan perizinan daerah",
     "Hubungkan akun dengan menu Integrasi OSS memakai NIB dan e-mail yang sama.",
     "Layanan perizinan daerah membaca data dari OSS. Pastikan e-mail akun sama dengan e-mail akun OSS.\n\n"
     "Pilih menu Profil lalu Integrasi OSS, masukkan NIB, dan setujui akses.",
     "oss, integrasi, nib tidak ditemukan, akun tidak tersambung", PUB),
    (PRESENSI, "Aplikasi seluler", "Presensi gagal: lokasi di luar radius kantor",
     "Aktifkan GPS mode akurasi tinggi dan tunggu hingga titik lokasi stabil sebelum presensi.",
     "Aplikasi menolak presensi bila titik GPS lebih dari 100 meter dari kantor.\n\n"
     "Aktifkan mode akurasi tinggi, matikan aplikasi lokasi palsu, lalu tunggu 10–20 detik di luar ruangan.\n\n"
     "Bila Anda bertugas di luar kantor, ajukan presensi dinas luar melalui menu Pengajuan.",
     "gps, lokasi, radius, presensi gagal, absen", PUB),
    (PRESENSI, "Akun dan kata sandi", "Ganti perangkat untuk aplikasi presensi",
     "Satu akun terikat satu ponsel; minta reset perangkat kepada admin kepegawaian PD.",
     "Akun presensi terikat pada satu perangkat. Bila ponsel berganti, minta admin kepegawaian PD mereset "
     "perangkat Anda melalui aplikasi admin.\n\nSetelah direset, masuk dari ponsel baru dan lakukan swafoto ulang.",
     "ganti hp, ponsel baru, reset perangkat, presensi", INT),
    (SUPERAPP, "Akun dan kata sandi", "Lupa kata sandi akun aplikasi warga",
     "Gunakan menu Lupa Kata Sandi; kode OTP dikirim ke nomor ponsel terdaftar.",
     "Pada layar masuk, pilih \"Lupa kata sandi\". Masukkan nomor ponsel terdaftar untuk menerima kode OTP.\n\n"
     "Kode berlaku 5 menit. Bila SMS tidak masuk, pastikan sinyal baik dan coba lagi setelah 2 menit.",
     "lupa kata sandi, lupa password, otp, akun warga", PUB),
    (SUPERAPP, "Aplikasi seluler", "Kode OTP tidak terkirim",
     "Tunggu 2 menit lalu minta ulang; periksa apakah nomor terdaftar masih aktif dan bisa menerima SMS.",
     "Kode OTP dikirim lewat SMS. Pengiriman kadang tertunda pada jam sibuk.\n\n"
     "Pastikan kotak SMS tidak penuh dan nomor tidak memblokir pengirim tak dikenal. Bila dalam 10 menit tetap "
     "tidak masuk, laporkan lewat portal.",
     "otp, sms, kode verifikasi, tidak terkirim", PUB),
    (SUPERAPP, "Aplikasi seluler", "Aplikasi tertutup sendiri setelah pembaruan",
     "Hapus cache aplikasi atau pasang ulang versi terbaru dari toko aplikasi.",
     "Setelah pembaruan, data lama di ponsel dapat membuat aplikasi tertutup sendiri.\n\n"
     "Buka Pengaturan ponsel, Aplikasi, pilih aplikasi ini, lalu Hapus cache. Bila masih terjadi, hapus dan pasang "
     "ulang aplikasi; data akun Anda tersimpan di server.",
     "force close, aplikasi keluar sendiri, crash, update", PUB),
    (PUSKESMAS, "Permohonan dokumen", "Cara mengambil nomor antrean puskesmas",
     "Antrean dibuka pukul 06.00 untuk hari yang sama; pilih puskesmas dan poli tujuan.",
     "Pilih menu Kesehatan lalu Antrean Puskesmas. Pilih puskesmas, poli, dan isi NIK pasien.\n\n"
     "Datang 30 menit sebelum perkiraan jam layanan. Nomor antrean hangus bila terlambat lebih dari 1 jam.",
     "antrean puskesmas, nomor antrian, daftar berobat", PUB),
    (ANGGARAN, "Kendala petugas", "Gagal sinkronisasi RKA ke DPA",
     "Pastikan seluruh sub kegiatan berstatus final dan pagu tidak melebihi plafon sebelum sinkronisasi.",
     "Sinkronisasi ditolak bila ada sub kegiatan berstatus draf atau total melebihi plafon.\n\n"
     "Periksa menu Validasi untuk daftar sub kegiatan bermasalah, perbaiki, lalu ulangi sinkronisasi.",
     "rka, dpa, sinkronisasi, pagu, plafon", INT),
    (SUREL, "Akun dan kata sandi", "Kotak surat dinas penuh",
     "Kuota 5 GB per akun; arsipkan lampiran lama ke penyimpanan dinas.",
     "Bila kotak surat penuh, e-mail masuk ditolak. Hapus e-mail dengan lampiran besar atau pindahkan ke arsip.\n\n"
     "Kuota tambahan dapat diajukan melalui permintaan layanan dengan persetujuan atasan.",
     "email penuh, kuota, mailbox penuh", INT),
    (GENERAL, "Umum", "Cara melapor gangguan layanan dan memantau tiket",
     "Laporkan lewat portal; nomor tiket dan tautan pemantauan dikirim ke e-mail Anda.",
     "Pilih layanan di portal, ceritakan kendalanya, dan lampirkan tangkapan layar bila ada.\n\n"
     "Tanpa akun, Anda menerima e-mail konfirmasi lebih dulu. Setelah dikonfirmasi, nomor tiket dan tautan "
     "pemantauan dikirim. Anda dapat membalas petugas dan menilai penyelesaian dari tautan tersebut.",
     "cara lapor, tiket, pantau laporan, nomor tiket", PUB),
    (GENERAL, "Umum", "Jam layanan dan waktu tanggap petugas",
     "Petugas menanggapi pada jam kerja; layanan kritis dipantau 24 jam.",
     "Laporan yang masuk di luar jam kerja ditanggapi pada hari kerja berikutnya, kecuali layanan kritis yang "
     "dipantau 24 jam.\n\nTarget waktu tanggap dan penyelesaian tiap layanan tercantum di katalog layanan.",
     "jam layanan, jam kerja, waktu tanggap, kapan dibalas", PUB),
    (GENERAL, "Umum", "Peramban menampilkan peringatan keamanan situs",
     "Jangan lanjutkan bila peringatan muncul; periksa tanggal perangkat lalu laporkan bila tetap muncul.",
     "Peringatan keamanan muncul bila sertifikat situs tidak dikenali atau tanggal perangkat Anda salah.\n\n"
     "Periksa tanggal dan jam perangkat. Bila sudah benar dan peringatan tetap muncul, jangan memasukkan data "
     "pribadi dan laporkan melalui portal.",
     "sertifikat, tidak aman, peringatan keamanan, https", PUB),
]  # fmt: skip


def _person(pd, role) -> User | None:
    if pd is None:
        return None
    return User.objects.filter(role_assignments__pd=pd, role_assignments__role=role).order_by("pk").first()


def _coordinator(pemda) -> User | None:
    return (
        User.objects.filter(role_assignments__pd__pemda=pemda, role_assignments__role=Role.KOORDINATOR_SPBE)
        .order_by("pk")
        .first()
    )


@transaction.atomic
def load_knowledge_demo(pemda) -> None:
    if Article.objects.filter(pemda=pemda).exists():
        return
    rng = random.Random(f"knowledge-{pemda.slug}")
    now = timezone.now()
    services = {s.code: s for s in Service.objects.filter(pd__pemda=pemda, lifecycle="active").select_related("pd")}
    coordinator = _coordinator(pemda)
    categories: dict[str, Category] = {}
    articles = []
    for index, (codes, category, title, summary, body, keywords, visibility) in enumerate(ARTICLES):
        service = next((services[c] for c in codes if c in services), None)
        if codes and service is None:
            continue  # this Pemda has no such service
        pd = service.pd if service else None
        if category not in categories:
            categories[category], _ = Category.objects.get_or_create(pemda=pemda, name=category)
        author = _person(pd, Role.PJ_PENYEDIA) if pd else _person(coordinator_pd(pemda), Role.PJ_PENYEDIA)
        reviewer = (service.service_admin or _person(pd, Role.ADMIN_LAYANAN)) if service else coordinator
        published = now - timedelta(days=200 - index * 7)
        article = Article.objects.create(
            pemda=pemda, pd=pd, service=service, category=categories[category], title=title, summary=summary,
            body=body, keywords=keywords, visibility=visibility, status=ArticleStatus.PUBLISHED, author=author,
            submitted_by=author, reviewer=reviewer, published_at=published,
            view_count=rng.randint(40, 900),
        )  # fmt: skip
        Article.objects.filter(pk=article.pk).update(created=published - timedelta(days=2))
        articles.append(article)
    _in_review(pemda, services, categories)
    _from_problem(pemda, services)
    _feedback(rng, [a for a in articles if a.visibility == PUB], now)


def coordinator_pd(pemda):
    return PerangkatDaerah.objects.filter(pemda=pemda, is_spbe_coordinator=True).first()


def _in_review(pemda, services: dict, categories: dict) -> None:
    """One draft waiting for the Administrator Layanan's review, written through the actions."""
    service = services.get("DUKCAPIL-01")
    author = _person(service.pd, Role.PJ_PENYEDIA) if service else None
    if service is None or author is None:
        return
    article = Article(
        pd=service.pd, service=service, category=categories.get("Permohonan dokumen"),
        title="Pindah datang antarkabupaten secara daring",
        summary="Ajukan SKPWNI dari daerah asal lalu lapor kedatangan di daerah tujuan dalam 30 hari.",
        body="Surat Keterangan Pindah (SKPWNI) diterbitkan Disdukcapil daerah asal.\n\n"
        "Setelah tiba, ajukan lapor datang melalui menu Pindah Datang dengan mengunggah SKPWNI. KK baru dapat "
        "dicetak sendiri setelah disetujui.",
        keywords="pindah datang, skpwni, pindah domisili", visibility=PUB,
    )  # fmt: skip
    actions.submit(author, actions.save_article(author, article))


def _from_problem(pemda, services: dict) -> None:
    """O-3: a problem opened from recurring complaints of the Adminduk
    service, its workaround recorded, and published as a known error."""
    service = next((services[c] for c in ADMINDUK if c in services), None)
    if service is None or service.service_admin is None:
        return
    complaints = list(Ticket.objects.filter(service=service, kind=TicketKind.COMPLAINT).order_by("-reported_at")[:3])
    if not complaints:
        return
    admin = service.service_admin
    problem = problems.open_problem(admin, title=f"Unggah berkas gagal di {service.name}", complaints=complaints,
                                    service=service)  # fmt: skip
    before = problems.snapshot(problem, problems.PROBLEM_FIELDS)
    problem.root_cause = "Batas unggah di proxy balik 1 MB, lebih kecil dari batas aplikasi 2 MB."
    problem.workaround = (
        "Kecilkan berkas di bawah 1 MB (pindai 150 dpi hitam-putih) sampai batas proxy dinaikkan.\n"
        "Petugas loket dapat menerima berkas lewat e-mail layanan bila warga tetap gagal mengunggah."
    )
    problem.status = ProblemStatus.KNOWN_ERROR
    problems.update_problem(admin, problem, before)
    actions.article_from_problem(admin, problem, visibility=PUB)


def _feedback(rng: random.Random, articles: list[Article], now) -> None:
    """Half a year of votes; about a third of the helpful ones on the
    portal's report form ended without a report (deflections)."""
    rows = []
    for article in articles:
        for n in range(rng.randint(3, 14)):
            helpful = rng.random() < 0.78
            portal = article.service_id is not None and rng.random() < 0.6
            created = now - timedelta(days=rng.uniform(1, 180))
            rows.append(Feedback(
                article=article, pemda_id=article.pemda_id, pd_id=article.pd_id, service_id=article.service_id,
                helpful=helpful, deflected=helpful and portal and rng.random() < 0.5,
                source=FeedbackSource.PORTAL if portal else FeedbackSource.ARTICLE,
                client_key=f"demo-{article.pk}-{n}", day=created.date(),
                comment=rng.choice(["", "", "", "Jelas, terima kasih.", "Langkahnya mudah diikuti."]) if helpful
                else rng.choice(["", "Masih gagal.", "Kurang jelas langkah ketiganya."]),
            ))  # fmt: skip
    created = Feedback.objects.bulk_create(rows)
    for feedback, row in zip(created, rows, strict=True):
        feedback.created = now - (now.date() - row.day)
    Feedback.objects.bulk_update(created, ["created"])
    totals = Feedback.objects.filter(article__in=articles).values("article").annotate(
        n_helpful=Count("id", filter=Q(helpful=True)), n_unhelpful=Count("id", filter=Q(helpful=False)),
        n_deflected=Count("id", filter=Q(deflected=True)),
    )  # fmt: skip
    for row in totals:
        Article.objects.filter(pk=row["article"]).update(
            helpful_count=row["n_helpful"], unhelpful_count=row["n_unhelpful"], deflection_count=row["n_deflected"]
        )
