Feature: XPhone Connect: calls and meetings in XPhone show in Teams
  Nimmt der Benutzer an einem XPhone Connect Meeting teil, so wird seine
  Präsenz in MS Teams als Am Telefon angezeigt. Wird lediglich der Bildschirm
  geteilt, ändert sich der Präsenzstatus nicht. Führt der Benutzer ein
  Telefonat über den XPhone Connect Client, so meldet MS Teams ebenfalls Am
  Telefon (seed 001, XP-2, XP-3). XPhone writes this as its own presence
  session, refreshed while the call lasts. MS Teams und XPhone Connect müssen
  nicht auf demselben System aktiv sein (XP-11). Teams web clients show the
  change up to 5 minutes late, Teams phones up to 10 (T-PROP-1).

  Background:
    Given it is 09:00
    And the users alice and bob
    And alice is signed in to Teams on mobile
    And bob is signed in to Teams on mobile
    And alice uses XPhone Connect
    And 10 minutes pass

  @XP-3
  Scenario: A call in the XPhone client is On the phone in Teams
    When alice starts an XPhone call
    Then alice's presence is Am Telefon
    And alice's XPhone client shows Am Telefon
    And Teams holds an XPhone session for alice
    When alice's XPhone call ends
    Then alice's presence is Available
    And Teams holds no XPhone session for alice

  @XP-3
  Scenario: A call longer than the session's lifetime stays visible, XPhone refreshes it
    When alice starts an XPhone call
    And 3 hours pass
    Then alice's presence is Busy/InACall
    And Teams holds an XPhone session for alice
    When alice's XPhone call ends
    Then alice's presence is Available

  @XP-2
  Scenario: Sharing the screen alone changes nothing; joining an XPhone Connect meeting is On the phone
    When alice starts sharing her screen in XPhone Connect
    Then alice's presence is Available
    And alice's XPhone client shows Verfügbar
    And XPhone has written 0 times to Teams for alice
    When alice joins an XPhone Connect meeting
    Then alice's presence is Am Telefon
    And alice's XPhone client shows Am Telefon
    When alice leaves the XPhone Connect meeting
    And alice stops sharing her screen in XPhone Connect
    Then alice's presence is Available

  @XP-11
  Scenario: No Teams client is needed on the same machine, a Teams account is enough
    Given the users carol
    And carol uses XPhone Connect
    When carol starts an XPhone call
    Then carol's presence is Am Telefon
    And carol has 1 presence session
    When carol's XPhone call ends
    Then carol's presence is Offline

  @XP-3 @T-PROP-1
  Scenario: A Teams web client shows the XPhone call within 5 minutes
    When alice starts an XPhone call
    Then within 1 second bob's desktop client shows alice as Busy/InACall
    And within 5 minutes bob's web client shows alice as Am Telefon

  @XP-3 @T-PROP-1
  Scenario: A Teams phone shows the XPhone call within 10 minutes
    When alice starts an XPhone call
    Then within 10 minutes bob's phone client shows alice as Am Telefon
