package io.tonegate.dtmf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Speech for the talk-off and talk-down tests, synthesised with Debian's {@code espeak-ng} (package
 * {@code espeak-ng}) in many languages, voices, pitches and speeds from a fixed seed. Nothing is stored in the
 * repository but this generator: the WAV files are cached under {@code target/speech-cache} (about 300 MB for two
 * hours) and made again when missing.
 *
 * <p>Each chunk is one espeak-ng run over random sentences (words and numbers of one language) at 22050 Hz; {@link
 * #load} resamples it to the test's rate and scales it to an active speech level of {@link #SPEECH_DBM0}.
 */
final class SpeechCorpus {

  /** Active speech level the chunks are normalised to (the issue asks for about -15 dBm0). */
  static final double SPEECH_DBM0 = -15;
  static final int ESPEAK_RATE = 22050;
  static final Path CACHE = Path.of("target", "speech-cache");

  /** One espeak-ng run: language and voice variant, pitch (0-99), speed (words per minute), word gap, text. */
  record Chunk(int index, String voice, int pitch, int speed, int gap, String text) {
    String describe() {
      return "chunk " + index + " (" + voice + ", pitch " + pitch + ", " + speed + " wpm)";
    }
  }

  private SpeechCorpus() {
  }

  /** Whether espeak-ng can be run here. */
  static boolean espeakAvailable() {
    try {
      Process p = new ProcessBuilder("espeak-ng", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The chunk plan for a seed: deterministic. */
  static Chunk chunk(long seed, int index) {
    Random r = new Random(seed * 7919 + index);
    String[] lang = LANGUAGES[index % LANGUAGES.length];
    String variant = VARIANTS[r.nextInt(VARIANTS.length)];
    String voice = variant.isEmpty() ? lang[0] : lang[0] + "+" + variant;
    int pitch = 10 + r.nextInt(81);
    int speed = 120 + r.nextInt(100);
    int gap = r.nextInt(4);
    String[] words = lang[1].split(" ");
    StringBuilder text = new StringBuilder();
    int target = 140 + r.nextInt(80);
    for (int w = 0, sentence = 0; w < target; w++) {
      if (r.nextInt(9) == 0) {
        // Numbers, as callers and prompts say them: codes, amounts, phone numbers.
        int digits = 1 + r.nextInt(r.nextBoolean() ? 4 : 10);
        for (int d = 0; d < digits; d++) {
          text.append((char) ('0' + r.nextInt(10)));
          if (digits > 6 && d % 3 == 2) {
            text.append(' ');
          }
        }
      } else {
        text.append(words[r.nextInt(words.length)]);
      }
      sentence++;
      if (sentence > 4 && r.nextInt(7) == 0) {
        text.append(r.nextInt(4) == 0 ? "? " : ". ");
        sentence = 0;
      } else {
        text.append(r.nextInt(10) == 0 ? ", " : " ");
      }
    }
    text.append('.');
    return new Chunk(index, voice, pitch, speed, gap, text.toString());
  }

  /**
   * Makes sure the first chunks of the plan that add up to at least {@code seconds} of speech are in the cache,
   * synthesising what is missing on two threads, and returns them with their durations.
   */
  static List<Chunk> ensure(long seed, double seconds) {
    List<Chunk> chosen = new ArrayList<>();
    double total = 0;
    int next = 0;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      while (total < seconds) {
        List<Future<Double>> batch = new ArrayList<>();
        List<Chunk> planned = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
          Chunk c = chunk(seed, next++);
          planned.add(c);
          batch.add(pool.submit(() -> synthesise(c)));
        }
        for (int i = 0; i < planned.size() && total < seconds; i++) {
          total += batch.get(i).get();
          chosen.add(planned.get(i));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return chosen;
  }

  /** Runs espeak-ng for a chunk unless it is cached; returns its duration in seconds. */
  static double synthesise(Chunk c) throws IOException, InterruptedException {
    Path wav = file(c);
    if (!Files.exists(wav)) {
      Files.createDirectories(CACHE);
      Path tmp = Files.createTempFile(CACHE, "chunk", ".tmp");
      Process p = new ProcessBuilder("espeak-ng", "-v", c.voice(), "-p", String.valueOf(c.pitch()),
          "-s", String.valueOf(c.speed()), "-g", String.valueOf(c.gap()), "-b", "1", "--stdin",
          "-w", tmp.toString())
          .redirectErrorStream(true).start();
      p.getOutputStream().write(c.text().getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException("espeak-ng failed for " + c.describe() + ": " + log);
      }
      Files.move(tmp, wav, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return (Files.size(wav) - 44) / 2.0 / ESPEAK_RATE;
  }

  /** The chunk at {@code rate}, scaled to {@link #SPEECH_DBM0} active level, times {@code gainDb}. */
  static float[] load(Chunk c, int rate, double gainDb) {
    short[] raw = readEspeakWav(file(c));
    float[] x = Resampler.resample(raw, ESPEAK_RATE, rate);
    double active = activeLevelDbm0(x, rate);
    float g = (float) Math.pow(10, (SPEECH_DBM0 + gainDb - active) / 20);
    for (int i = 0; i < x.length; i++) {
      x[i] *= g;
    }
    return x;
  }

  /**
   * Active speech level in dBm0, in the spirit of ITU-T P.56: the RMS over the 20 ms frames within 20 dB of the
   * loudest, expressed as the level of a sine of the same RMS.
   */
  static double activeLevelDbm0(float[] x, int rate) {
    int frame = rate / 50;
    int frames = x.length / frame;
    double[] e = new double[frames];
    double max = 0;
    for (int f = 0; f < frames; f++) {
      double s = 0;
      for (int i = f * frame; i < (f + 1) * frame; i++) {
        s += (double) x[i] * x[i];
      }
      e[f] = s / frame;
      max = Math.max(max, e[f]);
    }
    double sum = 0;
    int n = 0;
    for (double v : e) {
      if (v > max / 100) {
        sum += v;
        n++;
      }
    }
    double rms = Math.sqrt(sum / Math.max(1, n));
    return 20 * Math.log10(Math.max(rms, 1e-9) * Math.sqrt(2) / DtmfReceiver.DBM0_AMPLITUDE);
  }

  static Path file(Chunk c) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((c.voice() + "|" + c.pitch() + "|" + c.speed() + "|" + c.gap() + "|" + c.text())
          .getBytes(StandardCharsets.UTF_8));
      String hash = HexFormat.of().formatHex(md.digest()).substring(0, 16);
      return CACHE.resolve(String.format("%04d-%s-%s.wav", c.index(), c.voice().replace('+', '_'), hash));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** espeak-ng writes a plain 44-byte-header WAV: 22050 Hz, mono, 16-bit. */
  private static short[] readEspeakWav(Path wav) {
    try {
      byte[] b = Files.readAllBytes(wav);
      ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
      if (bb.getInt(24) != ESPEAK_RATE || bb.getShort(22) != 1 || bb.getShort(34) != 16) {
        throw new IOException("unexpected espeak-ng output format in " + wav);
      }
      short[] pcm = new short[(b.length - 44) / 2];
      bb.position(44);
      bb.asShortBuffer().get(pcm);
      return pcm;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Voice variants of espeak-ng (male, female, and character voices with different glottal sources). */
  private static final String[] VARIANTS = {
    "", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5", "croak", "klatt", "klatt2",
    "klatt3", "Alicia", "Andy", "Annie", "aunty", "boris", "david", "Gene", "iven", "john", "linda", "max",
    "michel", "norbert", "pablo", "quincy", "rob", "robert", "steph", "travis", "Tweaky", "UniRobot", "whisper",
    "zac", "belinda", "benjamin", "edward", "grandma", "grandpa", "Lee", "Marco", "Mario", "Michael", "Storm",
    "robosoft", "robosoft3", "anikaRobot", "klatt4", "m8", "whisperf", "announcer", "shelby", "victor", "Demonic"};

  /** Language code and a few dozen everyday words, enough for espeak-ng to speak varied sentences. */
  private static final String[][] LANGUAGES = {
    {"en-us", "please enter your account number followed by the pound key thank you for calling we are sorry "
        + "all our agents are busy right now your call is important to us the weather today will be sunny with "
        + "a chance of rain later in the evening could you repeat that I did not hear you well my code is "
        + "seven eight nine zero yes no maybe tomorrow morning office meeting coffee water music money payment "
        + "bank card order delivery address street city number minute hour week month year"},
    {"en-gb", "good morning how are you doing I would like to speak to someone about my bill the train to "
        + "London leaves at half past nine lovely weather isn't it I'll ring you back after lunch queue "
        + "holiday garden football rather quite brilliant cheers mate lorry petrol biscuit colour favourite "
        + "flat lift rubbish shop centre theatre programme cheque account balance transfer statement"},
    {"de", "guten Tag bitte geben Sie Ihre Kundennummer ein vielen Dank für Ihren Anruf alle Mitarbeiter sind "
        + "im Gespräch das Wetter ist heute schön morgen regnet es wahrscheinlich ich möchte mein Konto "
        + "sperren lassen Straße Hausnummer Postleitzahl Bahnhof Zug Fahrkarte Rechnung Zahlung Überweisung "
        + "Kaffee Wasser Brot Käse Wurst Schule Kinder Arbeit Urlaub Woche Monat Jahr eins zwei drei vier"},
    {"fr", "bonjour veuillez saisir votre numéro de client suivi de la touche dièse merci de votre appel tous "
        + "nos conseillers sont occupés il fait beau aujourd'hui mais il pleuvra demain je voudrais parler à "
        + "quelqu'un au sujet de ma facture rue ville boulangerie fromage vin café gare train billet banque "
        + "carte paiement semaine mois année enfant travail vacances soleil pluie vent neige"},
    {"es", "buenos días por favor introduzca su número de cliente seguido de la tecla almohadilla gracias por "
        + "llamar todos nuestros agentes están ocupados hace buen tiempo hoy mañana lloverá quiero hablar "
        + "con alguien sobre mi factura calle ciudad pan queso vino café estación tren billete banco tarjeta "
        + "pago semana mes año niño trabajo vacaciones sol lluvia viento nieve"},
    {"it", "buongiorno per favore inserisca il suo codice cliente seguito dal tasto cancelletto grazie per aver "
        + "chiamato tutti gli operatori sono occupati oggi fa bel tempo domani pioverà vorrei parlare con "
        + "qualcuno della mia bolletta via città pane formaggio vino caffè stazione treno biglietto banca "
        + "carta pagamento settimana mese anno bambino lavoro vacanze sole pioggia vento neve"},
    {"pt-br", "bom dia por favor digite o número da sua conta seguido da tecla jogo da velha obrigado por ligar "
        + "todos os atendentes estão ocupados hoje faz sol amanhã vai chover eu gostaria de falar sobre a minha "
        + "conta rua cidade pão queijo vinho café estação trem passagem banco cartão pagamento semana mês ano "
        + "criança trabalho férias sol chuva vento"},
    {"nl", "goedemorgen voer alstublieft uw klantnummer in gevolgd door het hekje bedankt voor uw oproep al "
        + "onze medewerkers zijn in gesprek het weer is vandaag mooi morgen gaat het regenen ik wil graag "
        + "iemand spreken over mijn rekening straat stad brood kaas koffie station trein kaartje bank betaling "
        + "week maand jaar kind werk vakantie zon regen wind fiets gracht"},
    {"pl", "dzień dobry proszę wprowadzić numer klienta i nacisnąć krzyżyk dziękujemy za telefon wszyscy "
        + "konsultanci są zajęci dzisiaj jest ładna pogoda jutro będzie padać chciałbym porozmawiać o moim "
        + "rachunku ulica miasto chleb ser kawa dworzec pociąg bilet bank karta płatność tydzień miesiąc rok "
        + "dziecko praca wakacje słońce deszcz wiatr"},
    {"sv", "god morgon var vänlig och slå ditt kundnummer följt av fyrkant tack för att du ringer alla våra "
        + "handläggare är upptagna idag är det fint väder i morgon blir det regn jag vill prata med någon om "
        + "min faktura gata stad bröd ost kaffe station tåg biljett bank kort betalning vecka månad år barn "
        + "arbete semester sol regn vind"},
    {"fi", "hyvää huomenta näppäile asiakasnumerosi ja paina risuaitaa kiitos soitostasi kaikki asiakaspalvelijat "
        + "ovat varattuja tänään on kaunis sää huomenna sataa haluaisin puhua laskustani katu kaupunki leipä "
        + "juusto kahvi asema juna lippu pankki kortti maksu viikko kuukausi vuosi lapsi työ loma aurinko sade"},
    {"cs", "dobrý den zadejte prosím své zákaznické číslo a stiskněte mřížku děkujeme za zavolání všichni "
        + "operátoři jsou obsazeni dnes je hezky zítra bude pršet chtěl bych mluvit o svém účtu ulice město "
        + "chléb sýr káva nádraží vlak jízdenka banka karta platba týden měsíc rok dítě práce dovolená slunce"},
    {"tr", "günaydın lütfen müşteri numaranızı girin ve kare tuşuna basın aradığınız için teşekkürler tüm "
        + "temsilcilerimiz meşgul bugün hava güzel yarın yağmur yağacak faturam hakkında konuşmak istiyorum "
        + "sokak şehir ekmek peynir kahve istasyon tren bilet banka kart ödeme hafta ay yıl çocuk iş tatil"},
    {"ru", "добрый день пожалуйста введите номер клиента и нажмите решётку спасибо за звонок все операторы "
        + "заняты сегодня хорошая погода завтра будет дождь я хотел бы поговорить о моём счёте улица город "
        + "хлеб сыр кофе вокзал поезд билет банк карта оплата неделя месяц год ребёнок работа отпуск солнце"},
    {"cmn", "你好 请输入您的账号 然后按井号键 谢谢您的来电 所有客服都在忙 今天天气很好 明天会下雨 我想问一下我的账单 "
        + "街道 城市 面包 咖啡 火车站 火车 车票 银行 银行卡 付款 星期 月份 年 孩子 工作 假期 太阳 下雨 刮风 "
        + "一 二 三 四 五 六 七 八 九 十"},
    {"hi", "नमस्ते कृपया अपना ग्राहक नंबर डालें और हैश दबाएं कॉल करने के लिए धन्यवाद सभी प्रतिनिधि व्यस्त हैं आज मौसम "
        + "अच्छा है कल बारिश होगी मैं अपने बिल के बारे में बात करना चाहता हूँ सड़क शहर रोटी चाय स्टेशन ट्रेन टिकट बैंक "
        + "कार्ड भुगतान हफ्ता महीना साल बच्चा काम छुट्टी सूरज बारिश हवा"},
    {"ar", "مرحبا من فضلك أدخل رقم الحساب ثم اضغط على المربع شكرا لاتصالك جميع الموظفين مشغولون الطقس جميل "
        + "اليوم غدا ستمطر أريد التحدث عن فاتورتي شارع مدينة خبز جبن قهوة محطة قطار تذكرة بنك بطاقة دفع "
        + "أسبوع شهر سنة طفل عمل عطلة شمس مطر ريح"},
    {"vi", "xin chào vui lòng nhập số tài khoản rồi bấm phím thăng cảm ơn quý khách đã gọi tất cả nhân viên đều "
        + "bận hôm nay trời đẹp ngày mai trời mưa tôi muốn hỏi về hóa đơn đường phố thành phố bánh mì cà phê "
        + "nhà ga tàu hỏa vé ngân hàng thẻ thanh toán tuần tháng năm trẻ em công việc kỳ nghỉ mặt trời"},
    {"ja", "こんにちは お客様番号を入力して シャープを押してください お電話ありがとうございます ただいま電話が混み合っております "
        + "今日は天気がいいです 明日は雨が降ります 請求書について話したいです 道 町 パン コーヒー 駅 電車 切符 銀行 カード "
        + "支払い 週 月 年 子供 仕事 休み 太陽 雨 風"},
    {"it", "pronto chi parla sono io mi senti adesso la linea è disturbata richiamami più tardi va bene d'accordo "
        + "arrivederci a presto ciao ciao allora dunque insomma magari comunque perché quando dove come quanto"},
  };
}
